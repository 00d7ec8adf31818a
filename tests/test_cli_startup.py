"""`upgrader --help` must start fast: no command module may import ape, web3 or eth-abi
at import time (they load inside the commands that need them)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HEAVY = ("ape", "web3", "eth_abi", "eth_account", "pydantic")


def test_cli_import_pulls_in_no_heavy_library():
    code = (
        "import sys, upgrader.cli.main as m; "
        f"print(','.join(h for h in {HEAVY!r} if h in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"imported at start-up: {out}"


def _registered() -> set[str]:
    from upgrader.cli.main import app

    names = {c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands}
    return names | {g.name for g in app.registered_groups}


def test_help_lists_exactly_the_registered_commands():
    out = subprocess.run([sys.executable, "-m", "upgrader.cli", "--help"], capture_output=True, text=True, check=True,
                         env={"COLUMNS": "200", "PATH": ""}).stdout
    panel = out[out.index("Commands"):]
    shown = {m.group(1) for m in re.finditer(r"^│ ([a-z][a-z0-9-]*) ", panel, re.M)}
    assert shown == _registered()


def test_every_command_module_is_registered_and_every_registered_module_exists():
    from upgrader.cli import main

    cli = ROOT / "src" / "upgrader" / "cli"
    plumbing = {"__init__", "__main__", "main", "entry"}
    commands = [p for p in cli.rglob("*.py") if "common" not in p.relative_to(cli).parts and p.stem not in plumbing]
    on_disk = {"upgrader.cli." + ".".join(p.relative_to(cli).with_suffix("").parts) for p in commands}
    assert set(main.COMMAND_MODULES) == on_disk


def test_a_missing_command_module_is_one_line_and_exit_2():
    """As an install that lost a file: the module is hidden from the import system, the
    executable still starts, says which module in one line, exits 2, and leaves no command out."""
    hide = ("import importlib.abc, sys\n"
            "class Hide(importlib.abc.MetaPathFinder):\n"
            "    def find_spec(self, name, path, target=None):\n"
            "        if name == 'upgrader.cli.sync': raise ModuleNotFoundError(name=name)\n"
            "sys.meta_path.insert(0, Hide())\n"
            "sys.argv = ['upgrader', '--help']\n"
            "from upgrader.cli.entry import run\n"
            "run()\n")
    done = subprocess.run([sys.executable, "-c", hide], capture_output=True, text=True, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == ["upgrader: this installation lacks the command module upgrader.cli.sync; "
                                        "reinstall upgrader (in a checkout: make install)"]
    assert "Commands" not in done.stdout


def _readme_shell_lines() -> list[str]:
    lines, inside, shell = [], False, False
    for line in (ROOT / "README.md").read_text().splitlines():
        if line.startswith("```"):
            inside, shell = not inside, line[3:].strip() in ("", "sh", "bash", "console")
        elif inside and shell:
            lines.append(line)
    return lines


def test_the_readme_shows_exactly_the_registered_commands():
    """Every command the README's shell blocks run is registered, and every registered command
    is shown there: a command dropped from the CLI (its module and its registry line) fails here,
    as a new command nobody documented does."""
    shown = {m.group(1) for line in _readme_shell_lines() if (m := re.match(r"\s*(?:\$ )?upgrader ([a-z][a-z0-9-]*)", line))}
    assert {"check", "node", "status", "plan", "simulate", "propose", "review"} <= shown, shown
    assert shown <= _registered(), f"shown in README.md but not registered: {sorted(shown - _registered())}"
    assert _registered() <= shown, f"registered but never shown in README.md: {sorted(_registered() - shown)}"
