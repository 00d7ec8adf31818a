"""Done-when of issue 9: on a real forge build, `upgrader check --build-info out/build-info` gives
the same per-contract verdicts and exit code as OpenZeppelin's `upgrades-core validate`."""

from __future__ import annotations

import json
from pathlib import Path

from forge_project import openzeppelin, upgrader


def test_forge_leaves_out_the_empty_layouts_we_read_as_empty(forge_build_info: Path) -> None:
    (path,) = forge_build_info.glob("*.json")
    info = json.loads(path.read_text())
    vault = info["output"]["contracts"]["src/Vault.sol"]["VaultV1"]
    assert "storageLayout" not in vault  # what foundry-compilers does with an empty layout
    assert "storageLayout" in info["output"]["contracts"]["src/Plain.sol"]["Plain"]


def test_same_verdicts_and_exit_code_as_openzeppelin(forge_build_info: Path) -> None:
    oz_code, theirs, oz_out = openzeppelin(forge_build_info)
    code, ours, report = upgrader(forge_build_info)
    assert theirs, oz_out
    assert ours == theirs, (ours, theirs, oz_out)
    assert code == oz_code == 1
    expected = {
        "src/Vault.sol:VaultV1": True,
        "src/VaultV2.sol:VaultV2": True,
        "src/VaultV2Insert.sol:VaultV2Insert": False,
        "src/VaultV2Renamed.sol:VaultV2Renamed": False,
        "src/VaultV2NoUUPS.sol:VaultV2NoUUPS": False,
        "src/Annotated.sol:Annotated": False,
        "src/Token.sol:Token": True,
        "src/mocks/MockProxyTarget.sol:MockProxyTarget": False,
    }
    assert ours == expected
    kinds = {c["contract"]: {e["kind"] for e in c["errors"]} for c in report["contracts"]}
    assert kinds["src/VaultV2NoUUPS.sol:VaultV2NoUUPS"] == {"missing-public-upgradeto"}
    assert kinds["src/Annotated.sol:Annotated"] == {"selfdestruct"}
    assert kinds["src/VaultV2Insert.sol:VaultV2Insert"] == {"layout-insert"}
    references = {c["contract"]: c["reference"] for c in report["contracts"]}
    assert references["src/VaultV2.sol:VaultV2"] == "src/Vault.sol:VaultV1"
