"""The project root and its kind are found from any folder inside it; each kind yields
compile settings and sources from the project's own files (ape: ape-config.yaml; Hardhat:
the settings and version of its last build in artifacts/build-info)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from upgrader.build import project as build
from upgrader.build.projects import kind_of, load_project
from upgrader.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
BOX = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
contract Box is Initializable { uint256 public value; function set(uint256 v) external { value = v * 3; } }
"""


@pytest.mark.parametrize(("marker", "kind"), [
    ("ape-config.yaml", "ape"), ("foundry.toml", "foundry"), ("hardhat.config.ts", "hardhat"), ("hardhat.config.js", "hardhat"),
])
def test_root_and_kind_from_a_subfolder(tmp_path: Path, marker: str, kind: str) -> None:
    (tmp_path / marker).write_text("")
    deep = tmp_path / "contracts" / "deep"
    deep.mkdir(parents=True)
    assert build.find_root(deep) == tmp_path and kind_of(tmp_path).NAME == kind


def test_a_folder_with_only_upgrader_toml_has_no_kind(tmp_path: Path) -> None:
    (tmp_path / "upgrader.toml").write_text("")
    assert build.find_root(tmp_path) == tmp_path
    with pytest.raises(InputError, match="does not know how to compile it"):
        load_project(tmp_path)


def test_this_repository_is_an_ape_project() -> None:
    project = load_project(ROOT)
    assert project.kind == "ape" and project.settings.version == "0.8.28" and project.settings.evm_version == "cancun"
    assert "contracts/v1/AccessHub.sol" in project.entry_points
    assert "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol" in project.sources


def hardhat_project(tmp_path: Path) -> tuple[Path, dict]:
    """A Hardhat-layout project whose last build used distinctive settings."""
    (tmp_path / "hardhat.config.js").write_text("module.exports = { solidity: '0.8.28' };\n")
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "Box.sol").write_text(BOX)
    os.symlink(ROOT / "node_modules", tmp_path / "node_modules")
    settings = build.CompilerSettings(version="0.8.28", optimize=True, runs=999, evm_version="paris", via_ir=False,
                                      metadata={"bytecodeHash": "none"})
    sources = build.collect_sources(tmp_path, ["contracts/Box.sol"], [tmp_path / "node_modules"])
    info = build.compile_to_build_info(sources, settings)
    (tmp_path / "artifacts" / "build-info").mkdir(parents=True)
    (tmp_path / "artifacts" / "build-info" / f"{info['id']}.json").write_text(json.dumps(info))
    return tmp_path, info


def test_hardhat_settings_come_from_its_build_info(tmp_path: Path) -> None:
    root, last = hardhat_project(tmp_path)
    project = load_project(root)
    assert project.kind == "hardhat"
    s = project.settings
    assert (s.version, s.runs, s.evm_version, s.metadata) == ("0.8.28", 999, "paris", {"bytecodeHash": "none"})
    (root / "contracts" / "Box.sol").write_text(BOX.replace("v * 3", "v * 4"))  # sources as they are now
    info = build.project_build_info(root)
    ours = info["output"]["contracts"]["contracts/Box.sol"]["Box"]["evm"]["deployedBytecode"]["object"]
    before = last["output"]["contracts"]["contracts/Box.sol"]["Box"]["evm"]["deployedBytecode"]["object"]
    assert ours != before and len(ours) == len(before)  # recompiled from the sources as they are now
    assert json.loads(info["output"]["contracts"]["contracts/Box.sol"]["Box"]["metadata"])["settings"]["evmVersion"] == "paris"


def test_hardhat_without_a_build_says_to_compile(tmp_path: Path) -> None:
    (tmp_path / "hardhat.config.ts").write_text("")
    with pytest.raises(InputError, match="run `npx hardhat compile` first"):
        load_project(tmp_path)


def test_missing_import_names_the_importer(tmp_path: Path) -> None:
    (tmp_path / "foundry.toml").write_text('[profile.default]\nsolc = "0.8.28"\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "A.sol").write_text('pragma solidity ^0.8.0;\nimport "solmate/tokens/ERC20.sol";\ncontract A {}\n')
    with pytest.raises(InputError, match=r"cannot find source 'solmate/tokens/ERC20.sol' \(imported by src/A.sol\)"):
        load_project(tmp_path)
