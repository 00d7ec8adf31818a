"""`upgrader --help` must start fast: no command module may import ape, web3 or eth-abi
at import time (they load inside the commands that need them)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("ape", "web3", "eth_abi", "eth_account", "pydantic")


def test_cli_import_pulls_in_no_heavy_library():
    code = (
        "import sys, upgrader.cli.main as m; "
        f"print(','.join(h for h in {HEAVY!r} if h in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"imported at start-up: {out}"


def test_help_lists_every_command():
    out = subprocess.run([sys.executable, "-m", "upgrader.cli", "--help"], capture_output=True, text=True, check=True,
                         env={"COLUMNS": "200", "PATH": ""}).stdout
    for command in ("check", "layout", "status", "plan", "simulate", "safe-hash", "review", "node"):
        assert command in out
