"""`upgrader check`: storage-layout compatibility and unsafe patterns of upgradeable contracts.

Plain invocations never reach this module: ``cli.quick`` runs them without importing typer.
This is the command's definition for help, usage errors and everything the quick lane passes on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from upgrader.cli.check_run import BUILD_INFO_HELP, run_check
from upgrader.cli.main import app
from upgrader.cli.output import handle_errors


@app.command("check")
@handle_errors
def check_command(
    build_info: Annotated[Optional[Path], typer.Option("--build-info", help=BUILD_INFO_HELP)] = None,
    contract: Annotated[Optional[str], typer.Option("--contract", help="Check only this contract (Name or source:Name).")] = None,
    reference: Annotated[
        Optional[str],
        typer.Option("--reference", help="Compare --contract against this one (Name, source:Name or git:<rev>:<Name>)."),
    ] = None,
    unsafe_allow: Annotated[
        Optional[str], typer.Option("--unsafe-allow", help="Comma-separated validation kinds to allow everywhere.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine output on stdout.")] = False,
) -> None:
    """Check every upgradeable contract (or --contract) against its reference."""
    raise typer.Exit(run_check(build_info, contract, reference, unsafe_allow, as_json))
