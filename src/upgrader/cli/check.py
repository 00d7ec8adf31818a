"""`upgrader check`: storage-layout compatibility and unsafe patterns of upgradeable contracts.

Plain invocations never reach this module: ``cli.quick`` runs them without importing typer.
This is the command's definition for help, usage errors and everything the quick lane passes on.
OpenZeppelin's option names (``--unsafeAllow``, ``--requireReference``, …) are aliases, so a CI
line that ran ``npx @openzeppelin/upgrades-core validate`` can run ``upgrader check`` instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from upgrader.check.run import BUILD_INFO_HELP, run_check
from upgrader.cli.common.options import JsonOption
from upgrader.cli.main import app
from upgrader.cli.common.output import handle_errors


@app.command("check")
@handle_errors
def check_command(
    build_info: Annotated[Optional[Path], typer.Option("--build-info", help=BUILD_INFO_HELP)] = None,
    contract: Annotated[Optional[str], typer.Option("--contract", help="Check only this contract (Name or source:Name).")] = None,
    reference: Annotated[
        Optional[str],
        typer.Option(
            "--reference",
            help="Compare --contract against this one (Name, source:Name, <dir>:source:Name or git:<rev>:<Name>).",
        ),
    ] = None,
    unsafe_allow: Annotated[
        Optional[str],
        typer.Option("--unsafe-allow", "--unsafeAllow", help="Comma-separated validation kinds to allow everywhere."),
    ] = None,
    json_out: JsonOption = False,
    exclude: Annotated[
        Optional[list[str]],
        typer.Option("--exclude", help="Skip contracts (and findings) in source paths matching this glob; repeatable."),
    ] = None,
    reference_build_info: Annotated[
        Optional[list[str]],
        typer.Option(
            "--reference-build-info",
            "--referenceBuildInfoDirs",
            help="Build-info folder of a previous release; name its contracts <dir-name>:<Name>. Repeatable or comma-separated.",
        ),
    ] = None,
    require_reference: Annotated[
        bool,
        typer.Option("--require-reference", "--requireReference", help="With --contract: fail unless it has a reference."),
    ] = False,
    unsafe_allow_renames: Annotated[
        bool, typer.Option("--unsafe-allow-renames", "--unsafeAllowRenames", help="Renamed variables are not errors.")
    ] = False,
    unsafe_skip_storage_check: Annotated[
        bool,
        typer.Option(
            "--unsafe-skip-storage-check", "--unsafeSkipStorageCheck", help="Do not compare layouts with references (dangerous)."
        ),
    ] = False,
    output_format: Annotated[
        Optional[str], typer.Option("--format", help="text (default), github (Actions annotations), markdown (a PR comment) or sarif (code scanning); --json for JSON.")
    ] = None,
) -> None:
    """Check every upgradeable contract (or --contract) against its reference."""
    raise typer.Exit(
        run_check(
            build_info,
            contract,
            reference,
            unsafe_allow,
            json_out,
            exclude,
            reference_build_info,
            require_reference,
            unsafe_allow_renames,
            unsafe_skip_storage_check,
            output_format,
        )
    )
