"""The `upgrader` command line. Each command lives in its own module under ``upgrader.cli``
and is a thin shell: parse options, call one library function, render, exit code.

Heavy libraries (ape, web3) are imported inside the commands that need them so that
``upgrader --help`` starts fast.
"""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from upgrader import __version__
from upgrader.cli.common import output
from upgrader.cli.common.usage import OneLineUsageGroup

app = typer.Typer(
    name="upgrader",
    cls=OneLineUsageGroup,  # usage errors as one line, exit 2
    help="Take a UUPS-proxied Solidity system governed by a Safe through an upgrade, safely.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Command modules register themselves on `app` when imported. Keep this list the single
# place that names them.
COMMAND_MODULES = [
    "upgrader.cli.check",
    "upgrader.cli.layout",
    "upgrader.cli.status",
    "upgrader.cli.adopt",
    "upgrader.cli.plan",
    "upgrader.cli.simulate",
    "upgrader.cli.safe.safe_hash",
    "upgrader.cli.safe.service",
    "upgrader.cli.review",
    "upgrader.cli.node",
    "upgrader.cli.sync",
    "upgrader.cli.watch",
    "upgrader.cli.fuzz",
]


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"upgrader {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Show the version and exit."),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
) -> None:
    output.state.debug = debug


def _register_commands() -> None:
    """A missing command module is a broken install: fail loudly, in one line (exit 2), never
    by leaving the command out. A module a command imports that is missing stays a traceback
    (that is our bug, not the install's)."""
    import sys

    for name in COMMAND_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            sys.stderr.write(f"upgrader: this installation lacks the command module {name}; "
                             "reinstall upgrader (in a checkout: make install)\n")
            raise SystemExit(2) from None


_register_commands()
