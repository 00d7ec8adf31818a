"""`upgrader layout show|diff`: the slot map of a contract, and the operations between two."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from upgrader.check.run import BUILD_INFO_HELP, load_builds
from upgrader.cli.common.options import JsonOption
from upgrader.cli.main import app
from upgrader.cli.common.output import handle_errors, print_json
from upgrader.cli.common.tables import Col, print_table

layout_app = typer.Typer(help="Inspect and compare storage layouts.", no_args_is_help=True)
app.add_typer(layout_app, name="layout")

BuildInfoOption = Annotated[Optional[Path], typer.Option("--build-info", help=BUILD_INFO_HELP)]


@layout_app.command("show")
@handle_errors
def show(
    contract: Annotated[str, typer.Argument(help="Contract name or source:Name.")],
    build_info: BuildInfoOption = None,
    json_out: JsonOption = False,
) -> None:
    """The slot map: slot, offset, bytes, name, type and origin, namespaces included."""
    builds, _ = load_builds(build_info)
    builds.require_layouts()
    layout = builds.layout(builds.resolve(contract))
    if json_out:
        print_json(layout.to_json())
        return
    columns = [Col("slot", whole=True), Col("offset", justify="right"), Col("bytes", justify="right"), Col("name"), Col("type"), Col("origin")]
    rows = [[str(item.slot), str(item.offset), str(item.size), item.label, layout.type_of(item).label, _origin(item)]
            for item in layout.items]
    for ns in layout.namespaces:
        rows.append([f"{ns.root:#x}", "", "", f"erc7201:{ns.id}", f"struct {ns.struct}", _origin_of(ns.contract, ns.location)])
        rows += [[f"+{item.slot - ns.root}", str(item.offset), str(item.size), item.label, layout.type_of(item).label, ""]
                 for item in ns.items]
    print_table(layout.contract, columns, [[escape(c) for c in row] for row in rows])


@layout_app.command("diff")
@handle_errors
def diff(
    old: Annotated[str, typer.Argument(help="The current implementation (Name or source:Name).")],
    new: Annotated[str, typer.Argument(help="The new implementation.")],
    build_info: BuildInfoOption = None,
    json_out: JsonOption = False,
) -> None:
    """Every storage operation from OLD to NEW; exit 1 if any is unsafe."""
    from upgrader.layout.compare import compare_layouts
    from upgrader.layout.report import hint, message

    builds, _ = load_builds(build_info)
    builds.require_layouts()
    old_fqn, new_fqn = builds.resolve(old), builds.resolve(new)
    ops = compare_layouts(builds.layout(old_fqn), builds.layout(new_fqn))
    ok = all(op.ok for op in ops)
    if json_out:
        rows = [
            {"kind": op.kind, "ok": op.ok, "message": message(op), "hint": None if op.ok else hint(op), "location": op.where}
            for op in ops
        ]
        print_json({"ok": ok, "old": old_fqn, "new": new_fqn, "operations": rows})
    else:
        rows = [["[green]ok[/]" if op.ok else "[bold red]error[/]", op.kind,
                 escape(message(op) + ("" if op.ok else f"\n> {hint(op)}")), escape(op.where or "")] for op in ops]
        if not ops:
            rows.append(["[green]ok[/]", "", "no storage changes", ""])
        print_table(escape(f"{old_fqn} -> {new_fqn}"), [Col("result"), Col("kind"), Col("change"), Col("location")], rows)
    raise typer.Exit(0 if ok else 1)


def _origin(item) -> str:  # type: ignore[no-untyped-def]
    return _origin_of(item.contract, item.location)


def _origin_of(contract: str, location: str | None) -> str:
    name = contract.rpartition(":")[2]
    return f"{name} ({location})" if location else name
