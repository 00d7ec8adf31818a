"""`scripts/demo.sh` runs only upgrader and ape (no inline interpreter code whose Ctrl-C or bad
input prints a traceback), and its `field` reads a top-level string of `--json` output."""

from __future__ import annotations

import re
import subprocess

from stack_helpers import ROOT

DEMO = ROOT / "scripts" / "demo.sh"


def test_demo_runs_no_inline_interpreter_code():
    text = DEMO.read_text()
    assert not re.search(r"\b(python\d*|node)\s+(-c|-e)\b|<<", text), "inline code in demo.sh"
    commands = {m.group(1) for m in re.finditer(r"\$bin/([\w-]+)", text)}
    assert commands == {"upgrader", "ape"}


def test_field_reads_top_level_strings_of_canonical_json():
    script = ("from upgrader.cli.common.output import print_json; "
              "print_json({'ok': True, 'path': 'deployments/local/plans/0xab.json', 'plan': {'path': 'nested'}, 'z': None})")
    field = next(ln for ln in DEMO.read_text().splitlines() if ln.startswith("field()"))
    out = subprocess.run(["bash", "-c", f'{field}\n"$0" -c "$1" | field path', str(ROOT / ".venv" / "bin" / "python"), script],
                         capture_output=True, text=True, check=True).stdout
    assert out == "deployments/local/plans/0xab.json\n"
    empty = subprocess.run(["bash", "-c", f"{field}\necho '{{\n  \"path\": null\n}}' | field path"],
                           capture_output=True, text=True, check=True).stdout
    assert empty == ""
