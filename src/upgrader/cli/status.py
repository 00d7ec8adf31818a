"""`upgrader status`: chain vs manifest vs build, per proxy."""

from __future__ import annotations

from typing import Annotated

import typer

from upgrader.cli.common.options import JsonOption, NetworkOption
from upgrader.cli.main import app
from upgrader.cli.common.output import error_line, handle_errors, print_json

HEALTHY = ("in_sync", "pending", "scheduled", "ready")  # what `status --check` accepts
STATE_STYLE = {"in_sync": "green", "pending": "yellow", "scheduled": "cyan", "ready": "bold cyan", "drift": "bold red",
               "unknown": "bold red"}


@app.command()
@handle_errors
def status(
    network: NetworkOption = "local",
    check: Annotated[bool, typer.Option("--check", help="Exit 1 when any proxy is not in_sync or pending (for cron and CI).")] = False,
    json_out: JsonOption = False,
) -> None:
    """Compare each proxy's on-chain implementation with the manifest and the build."""
    from upgrader.stages.context import open_network
    from upgrader.stages.status import status as run_status

    report = run_status(open_network(network))
    if json_out:
        print_json(report.to_json())
    else:
        render(report)
    unhealthy = [f"{p.name} ({p.state})" for p in report.proxies if p.state not in HEALTHY]
    if check and unhealthy:
        error_line(f"not in_sync or pending: {', '.join(unhealthy)}")
        raise typer.Exit(1)


def render(report) -> None:  # type: ignore[no-untyped-def]
    from upgrader.cli.common.tables import Col, print_table

    columns = [Col("proxy"), Col("kind"), Col("address", whole=True), Col("implementation", whole=True), Col("state"), Col("detail")]
    rows = [[p.name, p.kind, p.address, p.implementation, f"[{STATE_STYLE[p.state]}]{p.state}[/]", p.detail]
            for p in report.proxies]
    print_table(f"{report.network} (chain {report.chain_id}) · Safe {report.safe}", columns, rows)
    if report.governance:
        from rich.markup import escape

        from upgrader.cli.common.output import console

        console.print("chain of authority: " + escape(" → ".join(report.governance)), soft_wrap=True)
        for op in report.operations:
            console.print(escape(f"  {op['chain']} {op['id']} (plan {op['plan_hash']}, {', '.join(op['proxies'])}): {op['text']}"),
                          soft_wrap=True)
    if report.hint:
        from upgrader.cli.common.output import line

        line(report.hint, "bold red")
