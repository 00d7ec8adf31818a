"""The lean install (issue 19): upgrader without the `chain` extra, in a fresh virtual env (uv,
the lock's versions of the core dependencies, this checkout). `check` and `layout` work and give
the full install's answers; every other command ends with one line naming the extra to install."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from checker_fixtures import ROOT

UV = ROOT / ".venv" / "bin" / "uv"
FULL = ROOT / ".venv" / "bin" / "upgrader"
# a command of the chain stack per line, with arguments that get it past its own option checks
CHAIN_COMMANDS = [
    ["status"],
    ["plan", "--network", "local"],
    ["sync", "--network", "local"],
    ["watch", "--network", "local", "--once"],
    ["review", "0x" + "11" * 32, "--network", "local", "--json"],
    ["delegate", "list", "--network", "local"],
    ["fuzz"],
]


@pytest.fixture(scope="module")
def lean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with this checkout and only its core dependencies, at the lock's versions."""
    where = tmp_path_factory.mktemp("lean")
    venv = where / "venv"
    env = {**os.environ, "VIRTUAL_ENV": str(venv)}
    env.pop("UV_NO_CACHE", None)
    requirements = where / "requirements.txt"
    exported = subprocess.run(
        [str(UV), "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project", "--project", str(ROOT)],
        capture_output=True, text=True, check=True,
    ).stdout
    requirements.write_text(exported)
    subprocess.run([str(UV), "venv", "-q", "--python", str(ROOT / ".venv" / "bin" / "python"), str(venv)], check=True, env=env)
    subprocess.run([str(UV), "pip", "install", "-q", "-r", str(requirements)], check=True, env=env)
    subprocess.run([str(UV), "pip", "install", "-q", "--no-deps", str(ROOT)], check=True, env=env)
    return venv


def test_the_lean_install_holds_no_chain_stack(lean: Path) -> None:
    from upgrader.cli.common.extras import CHAIN_MODULES

    code = "import importlib.util, sys; print([m for m in sys.argv[1:] if importlib.util.find_spec(m)])"
    present = subprocess.run([str(lean / "bin" / "python"), "-c", code, *sorted(CHAIN_MODULES)], capture_output=True, text=True, check=True)
    assert present.stdout.strip() == "[]"


def test_check_and_layout_answer_as_the_full_install(lean: Path, fixtures_build_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, "UPGRADER_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "200"}
    for args in (
        ["check", "--build-info", str(fixtures_build_dir), "--json"],
        ["check", "--build-info", str(fixtures_build_dir), "--format", "sarif"],
        ["layout", "show", "GapShrink_V2", "--build-info", str(fixtures_build_dir), "--json"],
        ["layout", "diff", "Insert_V1", "Insert_V2", "--build-info", str(fixtures_build_dir), "--json"],
        ["check", "--help"],
    ):
        theirs = subprocess.run([str(lean / "bin" / "upgrader"), *args], capture_output=True, text=True, env=env)
        ours = subprocess.run([str(FULL), *args], capture_output=True, text=True, env=env)
        assert (theirs.returncode, theirs.stdout) == (ours.returncode, ours.stdout), (args, theirs.stderr)
        if "--json" in args:
            assert json.loads(theirs.stdout)


@pytest.mark.parametrize("argv", CHAIN_COMMANDS, ids=lambda a: a[0] if isinstance(a, list) else a)
def test_a_chain_command_says_which_extra_to_install(lean: Path, argv: list[str], tmp_path: Path) -> None:
    (tmp_path / "upgrader.toml").write_text('[networks.local]\nrpc = "http://127.0.0.1:1"\nchain_id = 31337\n')
    proc = subprocess.run([str(lean / "bin" / "upgrader"), *argv], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "needs the chain stack" in lines[0] and "upgrader[chain]" in lines[0], proc.stderr
