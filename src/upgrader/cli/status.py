"""`upgrader status`: chain vs manifest vs build, per proxy."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from upgrader.cli.main import app
from upgrader.cli.output import console, handle_errors, print_json

STATE_STYLE = {"in_sync": "green", "pending": "yellow", "drift": "bold red", "unknown": "bold red"}


@app.command()
@handle_errors
def status(
    network: Annotated[str, typer.Option("--network", "-n", help="Network from ape-config.yaml.")] = "local",
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Compare each proxy's on-chain implementation with the manifest and the build."""
    from upgrader.pipeline.context import open_network
    from upgrader.pipeline.status import status as run_status

    report = run_status(open_network(network))
    if json_out:
        print_json(report.to_json())
        return
    table = Table(title=f"{report.network} (chain {report.chain_id}) · Safe {report.safe}")
    for col in ("proxy", "address", "implementation", "state", "detail"):
        table.add_column(col)
    for p in report.proxies:
        style = STATE_STYLE[p.state]
        table.add_row(p.name, p.address, p.implementation, f"[{style}]{p.state}[/]", p.detail)
    console.print(table)
