"""On a project Hardhat 2 really built (`npx hardhat compile`, hardhat-upgrades loaded):
upgrader's Hardhat project kind compiles with the settings Hardhat used and gets Hardhat's runtime
code, and `upgrader check --build-info artifacts/build-info` agrees with upgrades-core validate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hardhat_project import build_info, hardhat, openzeppelin, upgrader

CONTRACTS = ("Box", "BoxV2", "BoxV2Unsafe", "Counter", "CounterV2")


def runtime(info: dict, name: str) -> str:
    return info["output"]["contracts"][f"contracts/{name}.sol"][name]["evm"]["deployedBytecode"]["object"]


def without_metadata(code: str) -> bytes:
    """The code before solc's CBOR metadata trailer (its length is the code's last two bytes)."""
    raw = bytes.fromhex(code.removeprefix("0x"))
    return raw[: -2 - int.from_bytes(raw[-2:], "big")]


def test_hardhat_kind_compiles_with_hardhats_settings_to_hardhats_code(hardhat_root: Path) -> None:
    from upgrader.build.project import project_build_info
    from upgrader.build.projects import load_project

    theirs = build_info(hardhat_root)
    assert theirs["_format"] == "hh-sol-build-info-1" and theirs["solcVersion"] == "0.8.28"
    project = load_project(hardhat_root)
    assert project.kind == "hardhat"
    assert set(project.entry_points) == {f"contracts/{name}.sol" for name in CONTRACTS}
    ours = project_build_info(hardhat_root)
    given, used = theirs["input"]["settings"], ours["input"]["settings"]
    for key in ("optimizer", "evmVersion", "viaIR", "remappings", "metadata", "libraries"):
        assert used.get(key) == given.get(key), key
    assert given["optimizer"] == {"enabled": True, "runs": 1000} and given["evmVersion"] == "paris"  # Hardhat 2's default target
    for name in CONTRACTS:
        assert without_metadata(runtime(ours, name)) == without_metadata(runtime(theirs, name)), name
        assert runtime(ours, name) == runtime(theirs, name), name  # same source names too: the metadata hash agrees
        meta = json.loads(ours["output"]["contracts"][f"contracts/{name}.sol"][name]["metadata"])
        assert meta["compiler"]["version"].startswith(theirs["solcLongVersion"])


def test_check_on_hardhat_build_info_agrees_with_openzeppelin(hardhat_root: Path) -> None:
    folder = hardhat_root / "artifacts" / "build-info"
    oz_code, theirs, oz_out = openzeppelin(folder)
    proc = upgrader(hardhat_root, "check", "--build-info", str(folder), "--json")
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    ours = {c["contract"]: c["ok"] for c in report["contracts"]}
    assert ours == theirs == {
        "contracts/Box.sol:Box": True,
        "contracts/BoxV2.sol:BoxV2": True,
        "contracts/BoxV2Unsafe.sol:BoxV2Unsafe": False,
        "contracts/Counter.sol:Counter": True,
        "contracts/CounterV2.sol:CounterV2": True,
    }, oz_out
    assert proc.returncode == oz_code == 1
    kinds = {c["contract"]: {e["kind"] for e in c["errors"]} for c in report["contracts"]}
    assert kinds["contracts/BoxV2Unsafe.sol:BoxV2Unsafe"] == {"layout-insert"}
    references = {c["contract"]: c["reference"] for c in report["contracts"]}
    assert references["contracts/BoxV2.sol:BoxV2"] == "contracts/Box.sol:Box"


def test_an_incremental_hardhat_compile_keeps_the_old_build_and_check_says_clean(hardhat_root: Path, tmp_path: Path) -> None:
    """Hardhat 2 compiles only the changed files into a new build-info and keeps the old one for
    the others, so the old BoxV2 stays in the folder: check refuses to guess (README, 'Use it in CI')."""
    root = tmp_path / "project"
    shutil.copytree(hardhat_root, root, symlinks=True)
    source = root / "contracts" / "BoxV2.sol"
    source.write_text(source.read_text().replace("    uint256 public fee;\n", "    uint256 public fee;\n    uint256 public cap;\n"))
    hardhat(root, "compile")
    assert len(list((root / "artifacts" / "build-info").glob("*.json"))) == 2
    proc = upgrader(root, "check", "--build-info", "artifacts/build-info")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "contracts/BoxV2.sol:BoxV2" in lines[0] and "npx hardhat clean" in lines[0], proc.stderr
