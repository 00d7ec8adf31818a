"""`upgrader check`: storage-layout compatibility and unsafe patterns of upgradeable contracts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.text import Text

from upgrader.cli.main import app
from upgrader.cli.output import console, handle_errors, print_json

BUILD_INFO_HELP = "Folder of Hardhat/Foundry build-info JSON files (default: compile this project)."


def load_builds(build_info: Path | None):  # type: ignore[no-untyped-def]
    """The build set to check and the project root (None when reading a foreign build-info folder)."""
    from upgrader.layout.buildset import BuildSet

    if build_info is not None:
        return BuildSet.load(build_info), None
    from upgrader.build.project import find_root, project_build_info

    root = find_root()
    return BuildSet.of(project_build_info(root)), root


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
    from upgrader.check import check

    builds, root = load_builds(build_info)
    allowed = frozenset(k.strip() for k in (unsafe_allow or "").split(",") if k.strip())
    report = check(builds, contract, reference, allowed, root)
    if as_json:
        print_json(report.to_json())
    else:
        for result in report.contracts:
            head, *details = result.explain().split("\n")
            console.print(Text(head, style="green" if result.ok else "bold red"))
            for line in details:
                console.print(Text(line), soft_wrap=True)
        failed = sum(not c.ok for c in report.contracts)
        summary = f"{len(report.contracts)} upgradeable contracts checked, {len(report.contracts) - failed} passed, {failed} failed"
        console.print(Text(summary, style="bold " + ("green" if report.ok else "red")))
    raise typer.Exit(0 if report.ok else 1)
