"""Done-when of issue 10 (project kinds): the code upgrader compiles for a Foundry project is
the code `forge build` produces, with settings read from the project's own files only
(foundry.toml profiles, remappings.txt, lib/ auto-remappings), for two solc versions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from build_helpers import copy_fixture, forge
from upgrader.build import artifacts
from upgrader.build.project import project_build_info
from upgrader.build.projects import load_project


def forge_build_info(project: Path) -> dict:
    infos = sorted((project / "out" / "build-info").glob("*.json"))
    assert len(infos) == 1, infos
    return json.loads(infos[0].read_text())


@pytest.mark.parametrize(("profile", "long_version", "evm"), [
    ("default", "0.8.28+commit.7893614a", "cancun"),
    ("older", "0.8.24+commit.e11b9ed9", "cancun"),  # prague asked, capped to what 0.8.24 knows
    ("ir", "0.8.28+commit.7893614a", "cancun"),  # via-IR, a relative import out of its src
    ("legacy", "0.8.12+commit.f00d7308", "london"),  # solc < 0.8.18: no appendCBOR key (solc refused the build)
])
def test_runtime_code_equals_forge_build(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch,
                                         profile: str, long_version: str, evm: str) -> None:
    project = copy_fixture(tmp_path / "project")
    built = forge(project, "build", home=home, profile=profile)
    assert built.returncode == 0, built.stderr + built.stdout
    theirs = forge_build_info(project)

    monkeypatch.setenv("FOUNDRY_PROFILE", profile)
    ours = project_build_info(project)
    assert ours["solcLongVersion"] == long_version and ours["input"]["settings"]["evmVersion"] == evm
    assert set(ours["input"]["sources"]) <= set(theirs["input"]["sources"])
    compared = 0
    for source, contracts in theirs["output"]["contracts"].items():
        for name, data in contracts.items():
            mine = ours["output"]["contracts"][source][name]["evm"]["deployedBytecode"]["object"]
            code = data["evm"]["deployedBytecode"]["object"]
            assert artifacts.strip_metadata(bytes.fromhex(mine)) == artifacts.strip_metadata(bytes.fromhex(code)), f"{source}:{name}"
            assert mine == code, f"{source}:{name}: metadata differs"  # same settings and source names, too
            compared += 1
    assert compared >= {"ir": 2, "legacy": 1}.get(profile, 10) and ours["input"]["settings"]["viaIR"] == (profile == "ir")


def test_settings_come_from_the_profile(foundry_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = load_project(foundry_project)
    assert project.kind == "foundry"
    s = project.settings
    assert (s.version, s.optimize, s.runs, s.evm_version, s.via_ir) == ("0.8.28", True, 777, "cancun", False)
    assert s.remappings[:2] == ("@openzeppelin/contracts-upgradeable/=lib/openzeppelin-contracts-upgradeable/",
                                "@openzeppelin/contracts/=lib/openzeppelin-contracts/")
    assert "mathlib/=lib/mathlib/src/" in s.remappings
    assert "lib/mathlib/src/Math2.sol" in project.sources and "src/interfaces/IBox.sol" in project.sources
    monkeypatch.setenv("FOUNDRY_PROFILE", "older")
    s = load_project(foundry_project).settings
    assert (s.version, s.optimize, s.runs, s.evm_version) == ("0.8.24", False, 777, "cancun")
