"""A Foundry project that pins no solc is built by upgrader with the solc forge used (its cache),
not the highest version installed for upgrader (public repo Cyfrin/foundry-upgrades-cu pins
none: forge had one version, upgrader's highest installed another, and import refused the
deployed code as built from other sources)."""

from __future__ import annotations

import json
from pathlib import Path


from build_helpers import forge, forge_home
from upgrader.build import solc, versions
from upgrader.build.project import project_build_info

SOURCE = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract Box {
    uint256 public value;

    function store(uint256 v) external {
        value = v;
    }
}
"""
FORGE_ONLY = "0.8.25"  # the one solc forge has; upgrader has a higher one too


def unpinned_project(root: Path) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "src" / "Box.sol").write_text(SOURCE)
    (root / "foundry.toml").write_text('[profile.default]\nsrc = "src"\nout = "out"\nlibs = []\noffline = true\nbuild_info = true\n')
    return root


def test_unpinned_project_builds_with_forges_solc(tmp_path: Path) -> None:
    for version in (FORGE_ONLY, "0.8.28"):
        solc.solc_path(version)  # installed for upgrader
    highest = versions.from_pragmas({"src/Box.sol": SOURCE})
    assert versions.parse(highest) > versions.parse(FORGE_ONLY), (
        f"upgrader's highest installed solc is {highest} after installing 0.8.28; the case needs one above {FORGE_ONLY}")
    project = unpinned_project(tmp_path / "project")
    built = forge(project, "build", home=forge_home(tmp_path, FORGE_ONLY))
    assert built.returncode == 0, built.stderr + built.stdout
    (info_path,) = (project / "out" / "build-info").glob("*.json")
    theirs = json.loads(info_path.read_text())
    assert theirs["solcVersion"] == FORGE_ONLY

    ours = project_build_info(project)
    assert ours["solcVersion"] == FORGE_ONLY
    mine = ours["output"]["contracts"]["src/Box.sol"]["Box"]["evm"]["deployedBytecode"]["object"]
    assert mine == theirs["output"]["contracts"]["src/Box.sol"]["Box"]["evm"]["deployedBytecode"]["object"]


def test_without_forges_cache_the_pragmas_decide(tmp_path: Path) -> None:
    project = unpinned_project(tmp_path / "project")
    assert project_build_info(project)["solcVersion"] == versions.from_pragmas({"src/Box.sol": SOURCE})
