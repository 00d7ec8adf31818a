"""What `upgrader check` does once its options are parsed, without typer: shared by the typer
command (``cli.check``) and the quick lane (``cli.quick``), so both print the same thing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from upgrader.cli.output import line, print_json

if TYPE_CHECKING:
    from upgrader.layout.buildset import BuildSet

BUILD_INFO_HELP = "Folder of Hardhat/Foundry build-info JSON files (default: compile this project)."


def load_builds(build_info: Path | None) -> tuple[BuildSet, Path | None]:
    """The build set to check and the project root (None when reading a foreign build-info folder)."""
    from upgrader.layout.buildset import BuildSet

    if build_info is not None:
        return BuildSet.load(build_info), None
    from upgrader.build.project import find_root, project_build_info

    root = find_root()
    return BuildSet.of(project_build_info(root)), root


def run_check(
    build_info: Path | None = None,
    contract: str | None = None,
    reference: str | None = None,
    unsafe_allow: str | None = None,
    as_json: bool = False,
) -> int:
    """Check, print the report, return the exit code (0 all pass, 1 any fails); input errors raise."""
    from upgrader.check import check

    builds, root = load_builds(build_info)
    allowed = frozenset(k.strip() for k in (unsafe_allow or "").split(",") if k.strip())
    report = check(builds, contract, reference, allowed, root)
    if as_json:
        print_json(report.to_json())
    else:
        for result in report.contracts:
            head, *details = result.explain().split("\n")
            line(head, "green" if result.ok else "bold red")
            for detail in details:
                line(detail)
        failed = sum(not c.ok for c in report.contracts)
        passed = len(report.contracts) - failed
        summary = f"{len(report.contracts)} upgradeable contracts checked, {passed} passed, {failed} failed"
        line(summary, "bold " + ("green" if report.ok else "red"))
    return 0 if report.ok else 1
