"""`upgrader sync`: record in the manifest what the chain did since the last recorded block."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from upgrader.cli.common.options import JsonOption, NetworkOption
from upgrader.cli.main import app
from upgrader.cli.common.output import handle_errors, line, print_json


@app.command()
@handle_errors
def sync(
    network: NetworkOption = "local",
    from_block: Annotated[Optional[int], typer.Option("--from-block", min=0, help="Read events from this block (default: the last recorded one).")] = None,
    json_out: JsonOption = False,
) -> None:
    """Find upgrades (ERC-1967 events) and Safe executions since the last recorded block and record them."""
    from upgrader.stages.context import open_network
    from upgrader.stages.sync import sync as run

    report = run(open_network(network), from_block)
    if json_out:
        print_json({"ok": True, **report.to_json()})
        return
    line(f"{report.network}: blocks {report.from_block}..{report.to_block}")
    for r in report.recorded:
        how = f"plan {r.plan_hash}" if r.origin == "upgrader" else "outside upgrader"
        line(f"  recorded {r.proxy} -> {r.implementation} ({r.contract}; {how}; tx {r.tx}, block {r.block})")
    for e in report.executions:
        line(f"  Safe {'executed' if e.ok else 'FAILED'} {e.safe_tx_hash} in tx {e.tx}" + (f" (plan {e.plan_hash})" if e.plan_hash else ""))
    for note in report.notes:
        line(f"  note: {note}")
    if report.unexplained:
        line(f"  no event explains what the chain runs for {', '.join(report.unexplained)}: `upgrader status` shows the drift")
    elif not report.recorded:
        line("  the manifest already matches the chain")
