"""`upgrader node start|stop|status|reset`: this checkout's local stack (the Anvil chain and
the local Safe Transaction Service, state in .anvil/)."""

from __future__ import annotations

from typing import Any

import typer

from upgrader.cli.common.options import JsonOption, NetworkOption
from upgrader.cli.main import app
from upgrader.cli.common.output import handle_errors, line, print_json

node_app = typer.Typer(help="Manage the local stack: the Anvil chain and the Safe Transaction Service (state in .anvil/, out of git). "
                            "--network names a network marked local (`local: true` or a loopback rpc): its Safe service; "
                            "`local` also runs this checkout's chain.",
                       no_args_is_help=True)
app.add_typer(node_app, name="node")


def _component(name: str, st: dict[str, Any], started: bool | None = None) -> str:
    """One line per component; ``started`` None: a status report, not a start."""
    title = {"chain": "local chain", "service": "local Safe Transaction Service"}[name]
    if st["state"] == "running":
        how = "running" if started is None else "started" if started else "already running"
        return f"{title}: {how} on {st['url']}" + (f" (pid {st['pid']})" if st["pid"] else " (not upgrader's)")
    if st["state"] == "foreign":
        return f"{title}: {st['url']} is held by {st['owner']}, not by this checkout"
    return f"{title}: stopped"


@node_app.command("start")
@handle_errors
def start(network: NetworkOption = "local", json_out: JsonOption = False) -> None:
    """Start the local chain from its saved state and the local Safe service (each only when it is not running)."""
    from upgrader.build.project import find_root
    from upgrader.localstack import start as start_stack

    report = start_stack(find_root(), network=network).to_json()
    if json_out:
        return print_json(report)
    for name in ("chain", "service"):
        line(_component(name, report[name], name in report["started"]))


@node_app.command("status")
@handle_errors
def status(network: NetworkOption = "local", json_out: JsonOption = False) -> None:
    """Whether the local chain and service run, and whose they are."""
    from upgrader.build.project import find_root
    from upgrader.localstack import status as stack_status

    report = stack_status(find_root(), network).to_json()
    if json_out:
        return print_json(report)
    for name in ("chain", "service"):
        line(_component(name, report[name]))
    if report["forks"]:
        line(f"simulate forks still running: {', '.join(map(str, report['forks']))} (`upgrader node stop` ends them)")


@node_app.command("stop")
@handle_errors
def stop(network: NetworkOption = "local", json_out: JsonOption = False) -> None:
    """Stop the local service, chain (of `local` only) and any simulate fork of this checkout (state is kept)."""
    from upgrader.build.project import find_root
    from upgrader.localstack import stop as stop_stack

    result = stop_stack(find_root(), network)
    if json_out:
        return print_json(result)
    line(f"local chain: {result['chain']}; local Safe Transaction Service: {result['service']}"
         + (f"; stopped {len(result['forks'])} leftover fork(s)" if result["forks"] else ""))


@node_app.command("reset")
@handle_errors
def reset(json_out: JsonOption = False) -> None:
    """Stop the local stack and delete its state (chain, proposals) and the local deployment records."""
    from upgrader.build.project import find_root
    from upgrader.localstack import reset as reset_stack

    result = reset_stack(find_root())
    if json_out:
        return print_json(result)
    line(f"local stack reset: removed {' and '.join(result['removed'])}")
