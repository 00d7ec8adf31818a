"""`upgrader plan`: write a hashed upgrade plan for every proxy whose build differs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from upgrader.cli.common.options import JsonOption, NetworkOption
from upgrader.cli.main import app
from upgrader.cli.common.output import console, err_console, handle_errors, print_json
from upgrader.errors import UnsafeError


def render_verdicts(report: dict) -> None:
    for c in report["contracts"]:
        mark = "[green]✔[/]" if c["ok"] else "[red]✘[/]"
        err_console.print(f"{mark} {c['contract']} (from {c['reference']})", soft_wrap=True)
        for e in c["errors"]:
            err_console.print(f"  [red]{e['location'] or ''}: {e['kind']}[/]: {e['message']}", soft_wrap=True)
            if e.get("hint"):
                err_console.print(f"    > {e['hint']}", soft_wrap=True)


@app.command()
@handle_errors
def plan(
    network: NetworkOption = "local",
    only: Annotated[Optional[list[str]], typer.Option("--only", help="Plan only this proxy (repeatable).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write the plan here instead of deployments/<network>/plans/.")] = None,
    unsafe_allow: Annotated[str, typer.Option("--unsafe-allow", help="Comma-separated validation kinds to allow.")] = "",
    json_out: JsonOption = False,
) -> None:
    """Check, then plan CREATE2 deployments and each proxy kind's upgrade calls for pending proxies."""
    from upgrader.stages.context import open_network
    from upgrader.stages.plan import make_plan
    from upgrader.stages.planfile import write_plan

    ctx = open_network(network)
    allow = frozenset(k.strip() for k in unsafe_allow.split(",") if k.strip())
    try:
        result = make_plan(ctx, only, allow)
    except UnsafeError as exc:
        if json_out and exc.report:
            print_json({"ok": False, "error": {"kind": "unsafe", "message": str(exc)}, "check": exc.report})
            raise typer.Exit(1)
        if exc.report:
            render_verdicts(exc.report)
        raise
    if result is None:
        if json_out:
            print_json({"ok": True, "plan": None, "path": None})
        else:
            console.print("[green]nothing to upgrade[/]: every proxy runs its built target")
        return
    path = write_plan(result, ctx.plans_dir, out)
    if json_out:
        print_json({"ok": True, "plan_hash": result["plan_hash"], "path": str(path), "plan": result})
        return
    from upgrader.cli.common.tables import Col, print_table

    columns = [Col("proxy"), Col("from"), Col("to"), Col("implementation", whole=True), Col("init"), Col("check")]
    rows = [[u["proxy"], u["from"]["contract"].rsplit(":", 1)[1], u["to"]["contract"].rsplit(":", 1)[1], u["to"]["implementation"],
             u["init"]["function"] or "-", "[green]ok[/]" if u["check"]["ok"] else "[red]unsafe[/]"] for u in result["upgrades"]]
    print_table(f"plan {result['plan_hash']} for {result['network']}", columns, rows)
    for i, c in enumerate(result["calls"], 1):
        console.print(escape(f"  {i}. {c['description']}"), soft_wrap=True)
    console.print(escape(f"plan written to {path}"), soft_wrap=True)
