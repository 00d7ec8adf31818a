"""`upgrader simulate PLAN`: execute the plan on an Anvil fork through the Safe and verify."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from upgrader.cli.common.options import JsonOption, PlanFileArgument
from upgrader.cli.main import app
from upgrader.cli.common.output import console, err_console, handle_errors, print_json


@app.command()
@handle_errors
def simulate(
    plan_file: PlanFileArgument,
    fork_url: Annotated[Optional[str], typer.Option("--fork-url", help="RPC to fork (default: the plan's network).")] = None,
    fork_block: Annotated[Optional[int], typer.Option("--fork-block", min=0, help="Block number to fork at.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Run the plan exactly as the Safe will on a fork; check slots, code, locks, storage, smoke calls."""
    from upgrader.stages.context import open_network
    from upgrader.stages.planfile import load_plan
    from upgrader.stages.simulate import simulate as run, write_simulation

    plan = load_plan(plan_file)
    ctx = open_network(plan["network"])
    if json_out:
        report = run(ctx, plan, fork_url, fork_block)
    else:
        with err_console.status("simulating") as status:
            report = run(ctx, plan, fork_url, fork_block, progress=lambda m: status.update(m))
    path = write_simulation(ctx, report)
    if json_out:
        print_json({**report.to_json(), "path": str(path)})
    else:
        from rich.markup import escape

        from upgrader.cli.common.tables import Col, print_table

        print_table("gas", [Col("call"), Col("gas", justify="right")],
                    [[escape(g["description"]), f"{g['gas']:,}"] for g in report.gas])
        if report.writes:
            style = {"undeclared": "[red]UNDECLARED[/]", "intended": "[green]declared[/]"}
            print_table("writes to the proxies' storage", [Col("proxy"), Col("variable"), Col("change"), Col("verdict")],
                        [[escape(w["proxy"]), escape(w["name"] or f"slot {w['slot']}"), escape(f"{w['before']} -> {w['after']}"),
                          style.get(w["verdict"], w["verdict"])] for w in report.writes])
        print_table(f"simulation of {report.plan_hash} at fork block {report.fork_block}",
                    [Col("check"), Col("result"), Col("detail")],
                    [[c.name, "[green]pass[/]" if c.ok else "[red]FAIL[/]", escape(c.detail)] for c in report.checks])
        verdict = "[green]simulation passed[/]" if report.ok else "[red]simulation failed[/]"
        console.print(f"{verdict}; report written to {escape(str(path))}", soft_wrap=True)
    if not report.ok:
        raise typer.Exit(1)
