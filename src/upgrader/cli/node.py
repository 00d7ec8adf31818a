"""`upgrader node start|stop|reset`: the persistent local Anvil chain."""

from __future__ import annotations

import typer

from upgrader.cli.main import app
from upgrader.cli.output import console, handle_errors

node_app = typer.Typer(help="Manage the local Anvil chain (state kept in .anvil/, out of git).", no_args_is_help=True)
app.add_typer(node_app, name="node")


@node_app.command("start")
@handle_errors
def start() -> None:
    """Start the local chain from its saved state (no-op when it is running)."""
    from upgrader.build.project import find_root
    from upgrader.chain.anvil import ensure_local_node

    url = ensure_local_node(find_root())
    console.print(f"local chain answering on {url}")


@node_app.command("stop")
@handle_errors
def stop() -> None:
    """Stop the local chain (its state is kept)."""
    from upgrader.build.project import find_root
    from upgrader.chain.anvil import stop_local_node

    console.print("stopped" if stop_local_node(find_root()) else "no local chain started by upgrader")


@node_app.command("reset")
@handle_errors
def reset() -> None:
    """Stop the local chain and delete its state and the local deployment records."""
    from upgrader.build.project import find_root
    from upgrader.chain.anvil import reset_local_node

    reset_local_node(find_root())
    console.print("local chain reset: state and deployments/local removed")
