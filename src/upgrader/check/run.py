"""What `upgrader check` does once its options are parsed, without typer: shared by the typer
command (``cli.check``) and the quick lane (``cli.quick``), so both print the same thing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from upgrader.cli.common.output import line, print_json
from upgrader.errors import InputError

if TYPE_CHECKING:
    from upgrader.check.builds import CheckBuilds
    from upgrader.check.engine import CheckReport

BUILD_INFO_HELP = "Folder of Hardhat/Foundry build-info JSON files (default: compile this project)."
FORMATS = ("text", "github", "markdown", "sarif")  # JSON is --json, as for every command


def load_builds(build_info: Path | None) -> tuple[CheckBuilds, Path | None]:
    """The builds to check and the project root (None when reading a foreign build-info folder)."""
    if build_info is not None:
        from upgrader.check.load import load_folder

        return load_folder(build_info), None
    from upgrader.build.project import find_root, project_build_info
    from upgrader.check.builds import as_check_builds
    from upgrader.layout.buildset import BuildSet

    root = find_root()
    return as_check_builds(BuildSet.of(project_build_info(root))), root


def run_check(
    build_info: Path | None = None,
    contract: str | None = None,
    reference: str | None = None,
    unsafe_allow: str | None = None,
    json_out: bool = False,
    exclude: Sequence[str] | None = None,
    reference_build_info: Sequence[str] | None = None,
    require_reference: bool = False,
    unsafe_allow_renames: bool = False,
    unsafe_skip_storage_check: bool = False,
    output_format: str | None = None,
) -> int:
    """Check, print the report, return the exit code (0 all pass, 1 any fails); input errors raise."""
    from upgrader.check.load import collector_off

    with collector_off():
        return _run_check(
            build_info, contract, reference, unsafe_allow, json_out, exclude, reference_build_info,
            require_reference, unsafe_allow_renames, unsafe_skip_storage_check, output_format,
        )


def _run_check(
    build_info: Path | None,
    contract: str | None,
    reference: str | None,
    unsafe_allow: str | None,
    json_out: bool,
    exclude: Sequence[str] | None,
    reference_build_info: Sequence[str] | None,
    require_reference: bool,
    unsafe_allow_renames: bool,
    unsafe_skip_storage_check: bool,
    output_format: str | None,
) -> int:
    from upgrader.check.engine import CheckOptions, check
    from upgrader.check.load import load_folder

    fmt = _format(output_format, json_out)
    allowed = frozenset(k.strip() for k in (unsafe_allow or "").split(",") if k.strip())
    options = CheckOptions(
        unsafe_allow=allowed,
        exclude=tuple(exclude or ()),
        require_reference=require_reference,
        unsafe_allow_renames=unsafe_allow_renames,
        unsafe_skip_storage_check=unsafe_skip_storage_check,
    )
    builds, root = load_builds(build_info)
    folders = [load_folder(Path(d)) for d in _split_dirs(reference_build_info)]
    report = check(builds, contract, reference, allowed, root, options=options, reference_builds=folders)
    if build_info is None and contract is None and root is not None:  # plain `check`: the configured modules too
        from upgrader.check.modules import with_modules

        report = with_modules(report, builds, root, options)
    RENDERERS[fmt](report)
    return 0 if report.ok else 1


def _format(output_format: str | None, as_json: bool) -> str:
    if output_format is not None and output_format not in FORMATS:
        raise InputError(f"unknown --format {output_format!r}; use one of: {', '.join(FORMATS)} (or --json)")
    if as_json and output_format is not None:
        raise InputError(f"--json and --format {output_format} disagree; pass one of them")
    return "json" if as_json else output_format or "text"


def _split_dirs(values: Sequence[str] | None) -> list[str]:
    """Folders given one per option or comma-separated (OpenZeppelin's --referenceBuildInfoDirs)."""
    return [part for value in values or () for part in value.replace(" ", ",").split(",") if part]


def _print_json(report: CheckReport) -> None:
    print_json(report.to_json())


def _print_github(report: CheckReport) -> None:
    from upgrader.check.formats import github_annotations

    sys.stdout.write(github_annotations(report))


def _print_markdown(report: CheckReport) -> None:
    from upgrader.check.formats import markdown_summary

    sys.stdout.write(markdown_summary(report))


def _print_sarif(report: CheckReport) -> None:
    from importlib.metadata import PackageNotFoundError, version

    from upgrader.check.formats import sarif_log

    try:
        installed = version("upgrader")
    except PackageNotFoundError:
        installed = "0"
    print_json(sarif_log(report, installed))


def _print_text(report: CheckReport) -> None:
    from upgrader.layout.report import render

    for finding in report.errors:
        line(render(finding), "bold red")
    for result in report.contracts:
        head, *details = result.explain().split("\n")
        line(head, "green" if result.ok else "bold red")
        for detail in details:
            line(detail)
    failed = sum(not c.ok for c in report.contracts)
    passed = len(report.contracts) - failed
    summary = f"{len(report.contracts)} upgradeable contracts checked, {passed} passed, {failed} failed"
    if report.errors:
        summary += f", {len(report.errors)} build errors"
    line(summary, "bold " + ("green" if report.ok else "red"))


RENDERERS: dict[str, Callable[[CheckReport], None]] = {
    "text": _print_text,
    "json": _print_json,
    "github": _print_github,
    "markdown": _print_markdown,
    "sarif": _print_sarif,
}
