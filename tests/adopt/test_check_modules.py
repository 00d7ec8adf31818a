"""Plain `upgrader check` checks what `plan` will (issue 26): each configured module's target
against its reference (the module's `initial` here: no manifest yet), although the Foundry
fixture's contracts carry no OpenZeppelin annotations. The project is tests/adopt/project with
the team's V2s (tests/adopt/v2), compiled by solc; one V2 inserts a variable before `count`."""

from __future__ import annotations

import json
import re
from pathlib import Path

from adopt_fixture import V2, add_v2, copy_project

BAD = "CounterInserted"


def _check(root: Path, *args: str):
    from typer.testing import CliRunner

    from upgrader.cli.main import app

    return CliRunner().invoke(app, ["check", *args], env={"UPGRADER_PROJECT": str(root), "NO_COLOR": "1", "COLUMNS": "200"})


def _bad_counter(root: Path) -> None:
    text = (V2 / "CounterV2.sol").read_text()
    text = text.replace("contract CounterV2 is", f"contract {BAD} is", 1)
    assert text.count("    uint256 public count;\n") == 1
    text = text.replace("    uint256 public count;\n", "    uint256 public limit0;\n    uint256 public count;\n", 1)
    (root / "src" / "v2" / f"{BAD}.sol").write_text(text)
    toml = root / "upgrader.toml"
    toml.write_text(re.sub(r'target = "CounterV2"', f'target = "{BAD}"', toml.read_text(), count=1))


def test_plain_check_refuses_a_configured_target_that_inserts_a_variable(tmp_path):
    root = copy_project(tmp_path / "project")
    add_v2(root)
    _bad_counter(root)
    text = _check(root)
    assert text.exit_code == 1, text.stdout + text.stderr
    pair = f"src/v2/{BAD}.sol:{BAD} (upgrade from src/v1/Counter.sol:Counter, module Counter)"
    assert f"✘ {pair}" in text.stdout and "layout-insert" in text.stdout
    data = json.loads(_check(root, "--json").stdout)
    bad = [c for c in data["contracts"] if not c["ok"]]
    assert [(c["contract"], c["reference"]) for c in bad] == [(f"src/v2/{BAD}.sol:{BAD}", "src/v1/Counter.sol:Counter, module Counter")]
    assert {(c["reference"] or "").rsplit("module ", 1)[-1] for c in data["contracts"] if "module" in (c["reference"] or "")} == {
        "Counter", "Vault", "Item", "LegacyCounter", "Registry"}
    github = _check(root, "--format", "github")
    assert github.exit_code == 1 and f"::error file=src/v2/{BAD}.sol" in github.stdout and "module Counter" in github.stdout
    markdown = _check(root, "--format", "markdown")
    assert markdown.exit_code == 1 and "module Counter" in markdown.stdout and "❌ fail" in markdown.stdout


def test_plain_check_passes_the_teams_real_v2s_and_names_each_pair(tmp_path):
    root = copy_project(tmp_path / "project")
    add_v2(root)
    result = _check(root)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "✔ src/v2/VaultV2.sol:VaultV2 (upgrade from src/v1/Vault.sol:Vault, module Vault)" in result.stdout
