"""`upgrader fuzz`: property-based upgrade tests on a fork, V1 against V2."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from upgrader.cli.common.options import JsonOption, NetworkOption
from upgrader.cli.common.output import err_console, handle_errors, line, print_json
from upgrader.cli.main import app


@app.command()
@handle_errors
def fuzz(
    network: NetworkOption = "local",
    plan_file: Annotated[Optional[Path], typer.Option("--plan", help="A plan file (default: plan the build now, write nothing).")] = None,
    examples: Annotated[Optional[int], typer.Option("--examples", min=1, help="Examples to run (default: fuzz.examples, 1000).")] = None,
    steps: Annotated[Optional[int], typer.Option("--steps", min=1, max=500, help="Calls per example at most (default: fuzz.steps, 20).")] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Hypothesis seed, for a run that repeats.")] = None,
    replay_file: Annotated[Optional[Path], typer.Option("--replay", help="Run one saved example (deployments/<net>/fuzz/<hash>.json) again.")] = None,
    engine: Annotated[str, typer.Option("--engine", help="revm (in process, the default) or anvil (the reference).")] = "revm",
    fork_block: Annotated[Optional[int], typer.Option("--fork-block", min=0, help="Block to fork at (default: the head).")] = None,
    json_out: JsonOption = False,
) -> None:
    """Random call sequences against the proxies with the plan's batch at a random step, every result compared
    with a fork where the upgrade does not happen; exit 1 on a divergence or a failed invariant."""
    from upgrader.errors import InputError
    from upgrader.fuzz.stage import FuzzOptions, choose_plan, fuzz as run, replay_file as replay
    from upgrader.stages.context import open_network

    if engine not in ("revm", "anvil"):
        raise InputError(f"--engine: {engine!r} is neither revm nor anvil")
    ctx = open_network(network)
    plan = choose_plan(ctx, plan_file)
    if replay_file is not None:
        report = replay(ctx, plan, replay_file, engine)  # type: ignore[arg-type]
    else:
        options = FuzzOptions(examples or ctx.config.fuzz.examples, steps or ctx.config.fuzz.steps, seed, engine,  # type: ignore[arg-type]
                              fork_block)
        report = run(ctx, plan, options, _progress(json_out))
    if json_out:
        print_json(_summary(report))
    else:
        _render(report)
    if not report.ok:
        raise typer.Exit(1)


def _progress(json_out: bool):  # type: ignore[no-untyped-def]
    if json_out or not sys.stderr.isatty():
        return lambda _: None

    def show(stats) -> None:  # type: ignore[no-untyped-def]
        err_console.print(f"fuzz: {stats.examples} examples, {stats.calls} calls, {stats.calls_per_s:.0f} calls/s", end="\r")

    return show


def _summary(report) -> dict:  # type: ignore[no-untyped-def]
    from upgrader.fuzz.example.render import trace_json

    shown = report.failure or report.replayed
    return {"ok": report.ok, "plan_hash": report.plan_hash, "fork_block": report.fork_block, "engine": report.engine,
            "examples": report.examples, "calls": report.calls, "seconds": round(report.seconds, 3),
            "calls_per_s": int(report.calls_per_s), "shrunk_from": report.shrunk_from, "confirmed_on": report.confirmed_on,
            "example": str(report.example_path) if report.example_path else None, "notes": report.notes,
            "trace": trace_json(shown) if shown is not None else None}


def _render(report) -> None:  # type: ignore[no-untyped-def]
    from upgrader.fuzz.example.render import lines

    if sys.stderr.isatty():
        err_console.print(" " * 60, end="\r")
    if report.replayed is not None:
        line(f"replayed {report.example_path} at fork block {report.fork_block} ({report.engine})")
        for text in lines(report.replayed):
            line(text)
        line("the example fails" if not report.ok else "the example passes now", "red" if not report.ok else "green")
        return
    line(f"{report.examples} examples, {report.calls} calls in {report.seconds:.1f} s ({report.calls_per_s:.0f} calls/s), "
         f"fork block {report.fork_block}, plan {report.plan_hash}")
    for note in report.notes:
        line(f"note: {note}", "yellow")
    if report.ok:
        line("no divergence: every compared call and view agreed", "green")
        return
    shrunk = f" (shrunk from {report.shrunk_from} calls)" if report.shrunk_from is not None else ""
    line(f"failing example, {len(report.failure.calls)} calls{shrunk}, confirmed on {report.confirmed_on}:", "red")
    for text in lines(report.failure):
        line(text)
    line(f"saved as {report.example_path}; run it again with `upgrader fuzz --network {report.failure and _net(report)} "
         f"--replay {report.example_path}`")


def _net(report) -> str:  # type: ignore[no-untyped-def]
    return report.example_path.parent.parent.name if report.example_path else "local"
