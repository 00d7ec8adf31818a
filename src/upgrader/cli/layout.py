"""`upgrader layout show|diff`: the slot map of a contract, and the operations between two."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from upgrader.cli.check_run import BUILD_INFO_HELP, load_builds
from upgrader.cli.main import app
from upgrader.cli.output import console, handle_errors, print_json

layout_app = typer.Typer(help="Inspect and compare storage layouts.", no_args_is_help=True)
app.add_typer(layout_app, name="layout")

BuildInfoOption = Annotated[Optional[Path], typer.Option("--build-info", help=BUILD_INFO_HELP)]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine output on stdout.")]


@layout_app.command("show")
@handle_errors
def show(
    contract: Annotated[str, typer.Argument(help="Contract name or source:Name.")],
    build_info: BuildInfoOption = None,
    as_json: JsonOption = False,
) -> None:
    """The slot map: slot, offset, bytes, name, type and origin, namespaces included."""
    builds, _ = load_builds(build_info)
    builds.require_layouts()
    layout = builds.layout(builds.resolve(contract))
    if as_json:
        print_json(layout.to_json())
        return
    table = Table(title=f"{layout.contract}", title_justify="left")
    for column in ("slot", "offset", "bytes", "name", "type", "origin"):
        table.add_column(column, justify="right" if column in ("offset", "bytes") else "left")
    for item in layout.items:
        table.add_row(str(item.slot), str(item.offset), str(item.size), item.label, layout.type_of(item).label, _origin(item))
    for ns in layout.namespaces:
        table.add_section()
        table.add_row(f"{ns.root:#x}", "", "", f"erc7201:{ns.id}", f"struct {ns.struct}", _origin_of(ns.contract, ns.location))
        for item in ns.items:
            table.add_row(f"+{item.slot - ns.root}", str(item.offset), str(item.size), item.label, layout.type_of(item).label, "")
    console.print(table)


@layout_app.command("diff")
@handle_errors
def diff(
    old: Annotated[str, typer.Argument(help="The current implementation (Name or source:Name).")],
    new: Annotated[str, typer.Argument(help="The new implementation.")],
    build_info: BuildInfoOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every storage operation from OLD to NEW; exit 1 if any is unsafe."""
    from upgrader.layout.compare import compare_layouts
    from upgrader.layout.report import hint, message

    builds, _ = load_builds(build_info)
    builds.require_layouts()
    old_fqn, new_fqn = builds.resolve(old), builds.resolve(new)
    ops = compare_layouts(builds.layout(old_fqn), builds.layout(new_fqn))
    ok = all(op.ok for op in ops)
    if as_json:
        rows = [
            {"kind": op.kind, "ok": op.ok, "message": message(op), "hint": None if op.ok else hint(op), "location": op.where}
            for op in ops
        ]
        print_json({"ok": ok, "old": old_fqn, "new": new_fqn, "operations": rows})
    else:
        table = Table(title=f"{old_fqn} -> {new_fqn}", title_justify="left")
        for column in ("", "kind", "change", "location"):
            table.add_column(column)
        for op in ops:
            mark = "[green]ok[/]" if op.ok else "[bold red]error[/]"
            table.add_row(mark, op.kind, message(op) + ("" if op.ok else f"\n> {hint(op)}"), op.where or "")
        if not ops:
            table.add_row("[green]ok[/]", "", "no storage changes", "")
        console.print(table)
    raise typer.Exit(0 if ok else 1)


def _origin(item) -> str:  # type: ignore[no-untyped-def]
    return _origin_of(item.contract, item.location)


def _origin_of(contract: str, location: str | None) -> str:
    name = contract.rpartition(":")[2]
    return f"{name} ({location.rpartition('/')[2]})" if location else name
