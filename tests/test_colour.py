"""Colour follows the conventions (issue 26): ``NO_COLOR`` (no-color.org), ``FORCE_COLOR=0`` (the
Node ecosystem's off switch, set by many CI setups) and a stream that is not a terminal mean no
ANSI codes at all; a terminal gets them, and so does any stream with ``FORCE_COLOR=1``
(force-color.org). The real executable runs (``python -m upgrader.cli``), into a file, a pipe
and a pseudo-terminal; ``layout show`` prints bold and dim text, ``--help`` typer's panels."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ESC = b"\x1b["
LAYOUT = ["layout", "show", "RentVault"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS", "PY_COLORS")}
    return {**env, "UPGRADER_PROJECT": str(ROOT), "COLUMNS": "120", **extra}


def _into_file(tmp_path: Path, args: list[str], **extra: str) -> bytes:
    out = tmp_path / "out.txt"
    with out.open("wb") as f:
        done = subprocess.run([sys.executable, "-m", "upgrader.cli", *args], stdout=f, stderr=subprocess.PIPE,
                              env=_env(**extra), cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr.decode()
    return out.read_bytes()


def _on_a_terminal(args: list[str], **extra: str) -> bytes:
    """What the command writes to a pseudo-terminal (stdout and stderr both)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "upgrader.cli", *args], stdout=follower, stderr=follower,
                            stdin=subprocess.DEVNULL, env=_env(**extra), cwd=ROOT)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=300) == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks)


@pytest.mark.parametrize("args", [LAYOUT, ["--help"]], ids=["layout-show", "help"])
def test_force_color_0_writes_no_escape_codes_into_a_file(tmp_path, args):
    written = _into_file(tmp_path, args, FORCE_COLOR="0")
    assert written and ESC not in written


def test_a_file_or_a_pipe_gets_no_escape_codes_and_force_color_1_forces_them(tmp_path):
    assert ESC not in _into_file(tmp_path, LAYOUT)
    piped = subprocess.run([sys.executable, "-m", "upgrader.cli", *LAYOUT], capture_output=True, env=_env(), cwd=ROOT,
                           timeout=300)
    assert piped.returncode == 0 and piped.stdout and ESC not in piped.stdout
    assert ESC in _into_file(tmp_path, LAYOUT, FORCE_COLOR="1")


def test_a_terminal_gets_colour_unless_no_color_or_force_color_0():
    assert ESC in _on_a_terminal(LAYOUT)
    for off in ({"NO_COLOR": "1"}, {"FORCE_COLOR": "0"}, {"FORCE_COLOR": "false"}):
        shown = _on_a_terminal(LAYOUT, **off)
        assert b"RentVault" in shown and ESC not in shown, off
