"""The quick lane of `upgrader check` (``cli.quick``) against the typer command it stands in for:
the same parameters for every invocation it accepts, the same output, and no typer on the way."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from upgrader.cli import check as check_cli
from upgrader.cli.common import output
from upgrader.cli.common import quick
from upgrader.cli.main import app

runner = CliRunner()
DEFAULTS = {
    "build_info": None,
    "contract": None,
    "reference": None,
    "unsafe_allow": None,
    "json_out": False,
    "exclude": None,
    "reference_build_info": None,
    "require_reference": False,
    "unsafe_allow_renames": False,
    "unsafe_skip_storage_check": False,
    "output_format": None,
}
OPTIONS = ["--build-info", "--contract", "--reference", "--unsafe-allow", "--unsafeAllow", "--format"]
REPEATABLE = ["--exclude", "--reference-build-info", "--referenceBuildInfoDirs"]
FLAGS = [
    "--json",
    "--require-reference",
    "--requireReference",
    "--unsafe-allow-renames",
    "--unsafeAllowRenames",
    "--unsafe-skip-storage-check",
    "--unsafeSkipStorageCheck",
]
VALUES = st.text(alphabet="ab-=/.:_ 0", max_size=6)
TOKENS = st.one_of(
    st.sampled_from([*OPTIONS, *REPEATABLE, *FLAGS, "--help", "--debug", "--", "-h", "--jso", "--build", "--version", "check"]),
    st.builds(lambda option, value: f"{option}={value}", st.sampled_from([*OPTIONS, *REPEATABLE, *FLAGS]), VALUES),
    VALUES,
)


def typer_call(argv: list[str]) -> tuple[dict[str, Any], bool] | None:
    """What the typer command would hand to ``run_check`` (and --debug), or None if it refuses."""
    calls: list[tuple[Any, ...]] = []

    def record(*args: Any) -> int:
        calls.append(args)
        return 0

    output.state.debug = False
    with mock.patch.object(check_cli, "run_check", record):
        result = runner.invoke(app, argv)
    if not calls:
        return None
    assert result.exit_code == 0, result.output
    params = dict(zip(DEFAULTS, calls[0]))
    for name in ("exclude", "reference_build_info"):  # click gives () or a list for a repeatable option
        params[name] = list(params[name]) or None if params[name] is not None else None
    return params, output.state.debug


def quick_call(argv: list[str]) -> tuple[dict[str, Any], bool] | None:
    parsed = quick.parse(argv)
    if parsed is None:
        return None
    command, params, debug = parsed
    assert command == "check"
    return {**DEFAULTS, **params}, debug


PLAIN_VALUES = st.text(alphabet="abc/._:0 ", min_size=1, max_size=8)


@st.composite
def plain_invocations(draw: st.DrawFn) -> list[str]:
    """Each option at most once (repeatable ones any number of times), values that do not look
    like options, either spelling, flags anywhere."""
    units = []
    once = draw(st.lists(st.sampled_from(["--build-info", "--contract", "--reference", "--unsafe-allow", "--format"]), unique=True))
    for option in once + draw(st.lists(st.sampled_from(REPEATABLE), max_size=4)):
        value = draw(PLAIN_VALUES)
        units.append([f"{option}={value}"] if draw(st.booleans()) else [option, value])
    for flag in draw(st.lists(st.sampled_from(FLAGS), max_size=3)):
        units.insert(draw(st.integers(0, len(units))), [flag])
    prefix = ["--debug"] if draw(st.booleans()) else []
    return [*prefix, "check", *(token for unit in units for token in unit)]


@settings(max_examples=200, deadline=None)
@given(plain_invocations())
def test_plain_invocations_take_the_quick_lane_and_match_typer(argv: list[str]) -> None:
    fast = quick_call(argv)
    assert fast is not None, argv
    assert typer_call(argv) == fast


@st.composite
def perturbed_invocations(draw: st.DrawFn) -> list[str]:
    """A plain invocation with up to three arbitrary tokens (hostile spellings, --help, --, other
    commands' names, option=value pairs) dropped in anywhere after the command."""
    argv = draw(plain_invocations())
    at = argv.index("check") + 1
    for token in draw(st.lists(TOKENS, max_size=3)):
        argv.insert(draw(st.integers(at, len(argv))), token)
    return argv


@settings(max_examples=300, deadline=None)
@given(perturbed_invocations())
def test_whatever_the_quick_lane_accepts_typer_reads_the_same(argv: list[str]) -> None:
    fast = quick_call(argv)
    # a declined argv goes to typer, which is always right: only an accepted one can be wrong, so
    # only those count (hypothesis fails the test with filter_too_much if nearly all are declined)
    assume(fast is not None)
    assert typer_call(argv) == fast


def test_help_and_other_commands_go_to_typer() -> None:
    for argv in (["check", "--help"], ["--help"], [], ["layout", "show", "X"], ["--version"], ["check", "--contract"]):
        assert quick.parse(argv) is None, argv


def quick_output(argv: list[str], capsys: Any) -> tuple[int, str, str]:
    parsed = quick.parse(argv)
    assert parsed is not None
    code = quick.run(*parsed)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_same_output_and_exit_code_as_the_typer_command(fixtures_build_dir: Path, capsys: Any) -> None:
    for argv in (
        ["check", "--build-info", str(fixtures_build_dir), "--json"],
        ["check", "--build-info", str(fixtures_build_dir)],
        ["check", "--build-info", str(fixtures_build_dir), "--contract", "GapShrink_V2"],
        ["check", "--build-info", str(fixtures_build_dir), "--contract", "Nope"],
        ["check", "--build-info", str(fixtures_build_dir / "missing")],
        ["check", "--build-info", str(fixtures_build_dir), "--unsafe-allow", "no-such-kind"],
        ["check", "--build-info", str(fixtures_build_dir), "--format", "sarif"],
        ["check", "--build-info", str(fixtures_build_dir), "--format", "github"],
    ):
        code, out, err = quick_output(argv, capsys)
        typed = runner.invoke(app, argv)
        assert (code, out, err) == (typed.exit_code, typed.stdout, typed.stderr), argv
        if "--format" in argv:
            assert code == 1 and out.startswith("{" if "sarif" in argv else "::"), argv  # the lane ran the format
    code, _, err = quick_output(["check", "--build-info", str(fixtures_build_dir), "--unsafe-allow", "no-such-kind"], capsys)
    assert code == 2 and err.startswith("error: unknown --unsafe-allow kind no-such-kind")


def test_the_installed_command_never_imports_typer_or_rich(fixtures_build_dir: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "upgrader.cli", "check", "--build-info", str(fixtures_build_dir), "--json"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1  # the fixtures include unsafe pairs
    assert len(json.loads(proc.stdout)["contracts"]) > 40
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert not {name for name in imported if name.split(".")[0] in ("typer", "rich", "click", "ape", "web3", "pydantic")}
