"""Adopting an existing deployment: `upgrader import` (the manifest from the chain and the
build), `upgrader safe create` (a Safe for it), `upgrader handover` (every upgrade right to that
Safe) and `upgrader solc path` (the compiler upgrader uses, for forge's FOUNDRY_SOLC)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from upgrader.cli.main import app
from upgrader.cli.common.output import console, handle_errors, print_json


@app.command("import")
@handle_errors
def import_(
    network: Annotated[str, typer.Option("--network", "-n", help="Network whose manifest to write.")] = "local",
    proxy: Annotated[Optional[list[str]], typer.Option("--proxy", help="Name=0xADDRESS of a proxy (repeatable).")] = None,
    from_openzeppelin: Annotated[Optional[Path], typer.Option("--from-openzeppelin", help="OpenZeppelin Upgrades manifest, .openzeppelin/<network>.json.")] = None,
    from_forge_broadcast: Annotated[Optional[Path], typer.Option("--from-forge-broadcast", help="broadcast/<script>/<chainId>/run-latest.json.")] = None,
    layout_from: Annotated[Optional[str], typer.Option("--layout-from", help="git:<rev>: also match deployed code in the build of that revision.")] = None,
    safe: Annotated[Optional[str], typer.Option("--safe", help="The Safe that proposes upgrades (default: the Safe that owns the proxies).")] = None,
    multisend: Annotated[Optional[str], typer.Option("--multisend", help="The Safe's MultiSendCallOnly, when not at its canonical address.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing manifest.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Record an existing deployment: per proxy its kind, implementation, build contract, layout and governance."""
    from upgrader.adopt.importer import ImportRequest, run_import
    from upgrader.stages.context import open_network

    request = ImportRequest(proxies=proxy or [], openzeppelin=from_openzeppelin, forge_broadcast=from_forge_broadcast,
                            layout_from=layout_from, safe=safe, multisend=multisend, force=force)
    result = run_import(open_network(network), request)
    if json_out:
        print_json(result.to_json())
        return
    from upgrader.cli.common.tables import Col, print_table

    data = result.to_json()
    columns = [Col("proxy"), Col("kind"), Col("address", whole=True), Col("implementation", whole=True), Col("contract"),
               Col("governed by")]
    rows = [[p["name"], p["kind"], p["address"], p["implementation"], escape(p["contract"]),
             _governed(p, data["safe"])] for p in data["proxies"]]
    print_table(f"{data['network']} (chain {data['chain_id']}) · Safe {data['safe']}", columns, rows)
    if result.manifest.governance is not None:
        from upgrader.governance import chain_of

        console.print("chain of authority: " + " → ".join(chain_of(result.manifest).describe(result.manifest)), soft_wrap=True)
    for note in result.notes:
        console.print(f"[yellow]note[/]: {escape(note)}", soft_wrap=True)
    console.print(escape(f"manifest written to {result.path}"), soft_wrap=True)


def _governed(p: dict, safe: str) -> str:  # type: ignore[type-arg]
    if not p["governed_by_safe"]:
        return f"[yellow]{p['governor']}[/]"
    return "the Safe" if p["governor"] in (None, safe) else f"the Safe via {p['governor']}"
