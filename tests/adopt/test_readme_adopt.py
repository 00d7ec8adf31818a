"""Issue 21: README's "Adopt an existing deployment" runs as written. Its first shell block (from
the team's `forge script` through `safe create`, `import`, `handover` and `status`) is run by
bash in a fresh copy of tests/adopt/foundry_repo against a fresh Anvil (the only edit: the port,
and the test starts the Anvil the block starts with `anvil --port 8545 &`); the addresses the
README then shows in the modules' settings must be those the run recorded."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from flow import ROOT, make_repository, team_env

pytestmark = pytest.mark.chain

TEMPLATE = Path(__file__).resolve().parent / "foundry_repo"


def adoption_blocks() -> tuple[str, str]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("**A Foundry team, from its own deploy"):]
    shell = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    settings = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    return shell, settings


def test_the_readme_adoption_runs_as_written(tmp_path: Path):
    from upgrader.chain import anvil as anvil_mod

    shell, settings = adoption_blocks()
    assert shell.splitlines()[0].startswith("anvil --port 8545 &")
    repo = make_repository(TEMPLATE, tmp_path / "team", tmp_path)
    with anvil_mod.running(["--silent"], root=ROOT) as node:
        port = node.url.rsplit(":", 1)[1]
        script = "set -euo pipefail\n" + "\n".join(shell.splitlines()[1:]).replace("8545", port)
        proc = subprocess.run(["bash", "-c", script], cwd=repo, env=team_env(tmp_path), input="y\n" * 10,
                              capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    manifest = json.loads((repo / "deployments" / "dev" / "manifest.json").read_text())
    safe = manifest["safe"]["address"]
    assert safe in shell and {p["governor"] for p in manifest["proxies"]} == {safe}  # handed over, after asking
    assert "send it?" in proc.stderr and "every proxy in_sync" in shell and "in_sync" in proc.stdout
    shown = dict(re.findall(r'\[modules\.(\w+)\]\nproxy = "(0x[0-9a-fA-F]{40})"', settings))
    assert shown == {p["name"]: p["address"] for p in manifest["proxies"]}
