"""Issue 21: the ape Anvil wrapper never shadows Anvil on the README's PATH. With the README's
`export PATH=...` a team's `anvil` is Foundry's own (it loads no upgrader state); the Makefile's
PATH, which ape commands run under, still finds the wrapper, and the wrapper still gives ape's
Anvil this checkout's chain state."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_path() -> str:
    """The PATH the README tells a user to export, with $PWD the checkout."""
    (line,) = {m.group(1) for m in re.finditer(r"export PATH=(\S+?)`", (ROOT / "README.md").read_text())}
    return line.replace("$PWD", str(ROOT)).replace("$PATH", "/usr/bin:/bin")


def test_the_readme_path_finds_foundrys_anvil_not_the_wrapper(tmp_path: Path):
    found = shutil.which("anvil", path=readme_path())
    assert found is not None and Path(found).resolve() == (ROOT / "node_modules" / ".bin" / "anvil").resolve(), found
    for folder in readme_path().split(":"):
        if Path(folder).is_relative_to(ROOT / "tools"):
            assert not (Path(folder) / "anvil").exists(), f"{folder}/anvil shadows Anvil"
    proc = subprocess.run([found, "--version"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PATH": readme_path()})
    assert proc.returncode == 0 and "anvil" in proc.stdout.lower(), proc.stderr
    assert not (tmp_path / ".anvil").exists()


def test_apes_path_still_finds_the_wrapper_and_its_state():
    (line,) = re.findall(r"^export PATH := (\S+)$", (ROOT / "Makefile").read_text(), re.M)
    make_path = line.replace("$(CURDIR)", str(ROOT)).replace("$(BIN)", ".venv/bin").replace("$(PATH)", "/usr/bin:/bin")
    found = shutil.which("anvil", path=make_path)
    assert found is not None and Path(found).resolve() == (ROOT / "tools" / "ape" / "anvil").resolve(), found
    script = Path(found).read_text()
    assert '--state "$root/.anvil/state.json"' in script and 'real="$root/node_modules/.bin/anvil"' in script
