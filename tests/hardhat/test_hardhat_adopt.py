"""A system deployed by hardhat-upgrades (the project's own `npx hardhat run`, `upgrades.deployProxy`)
on Anvil is adopted from the OpenZeppelin manifest hardhat-upgrades itself wrote: `upgrader import
--from-openzeppelin` records it, `upgrader status` says in_sync."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from hardhat_project import hardhat, upgrader

pytestmark = pytest.mark.chain
CREATE2_DEPLOYER = "0x4e59b44847b379578588920cA78FbF26c0B4956C"  # the deterministic deployment proxy on Anvil


def test_import_the_manifest_hardhat_upgrades_wrote_then_in_sync(hardhat_root: Path, hardhat_deployed: dict[str, Any],
                                                                   tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(hardhat_root, root, symlinks=True)
    written = json.loads(hardhat_deployed["oz_manifest"].read_text())
    assert [p["address"] for p in written["proxies"]] == [hardhat_deployed["proxy"]]  # hardhat-upgrades' own record
    network = {"UPGRADER_RPC_ANVIL": hardhat_deployed["url"]}
    proc = upgrader(root, "import", "--network", "anvil", "--from-openzeppelin", str(hardhat_deployed["oz_manifest"]),
                    "--multisend", hardhat_deployed["multisend"], "--json", **network)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (proxy,) = json.loads(proc.stdout)["proxies"]
    assert (proxy["name"], proxy["kind"], proxy["contract"]) == ("Box", "uups", "contracts/Box.sol:Box")
    assert proxy["address"] == hardhat_deployed["proxy"]
    manifest = json.loads((root / "deployments" / "anvil" / "manifest.json").read_text())
    (recorded,) = manifest["proxies"]
    assert recorded["implementation"]["address"] == hardhat_deployed["implementation"]
    assert recorded["governor"] == hardhat_deployed["safe"]
    proc = upgrader(root, "status", "--network", "anvil", "--json", **network)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [p["state"] for p in json.loads(proc.stdout)["proxies"]] == ["in_sync"]


def test_a_development_manifest_of_another_chain_is_refused(hardhat_deployed: dict[str, Any], hardhat_root: Path,
                                                             tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(hardhat_root, root, symlinks=True)
    other = tmp_path / hardhat_deployed["oz_manifest"].name.replace("anvil-31337-", "anvil-1-")
    shutil.copy(hardhat_deployed["oz_manifest"], other)
    proc = upgrader(root, "import", "--network", "anvil", "--from-openzeppelin", str(other),
                    "--multisend", hardhat_deployed["multisend"], UPGRADER_RPC_ANVIL=hardhat_deployed["url"])
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "chain 1," in lines[0], proc.stderr
    assert not (root / "deployments" / "anvil" / "manifest.json").exists()


def test_review_ties_an_implementation_prepare_upgrade_deployed_to_the_build(hardhat_root: Path, hardhat_deployed: dict[str, Any],
                                                                            tmp_path: Path) -> None:
    """OpenZeppelin's multisig path (`upgrades.prepareUpgrade` from the team's account, then the
    Safe's upgradeToAndCall), as a Hardhat team adopting upgrader already does it: `review` reads
    the code at the implementation and finds BoxV2 of the build in it, so there is no red
    `implementation-unknown` ("cannot be tied to the build"); code that is no build contract stays red.
    Seen on BenBktech/Update-smart-contracts-with-TransparentUpgradeableProxy-by-OpenZeppelin@6a11fe394ad3bf305990479bf0a84cd1bb55d90b
    (its BoxV2, prepared with hardhat-upgrades 1.21, upgraded through the Safe's ProxyAdmin)."""
    from eth_abi import encode
    from eth_utils import keccak

    root = tmp_path / "project"
    shutil.copytree(hardhat_root, root, symlinks=True)
    network = {"UPGRADER_RPC_ANVIL": hardhat_deployed["url"]}
    proc = upgrader(root, "import", "--network", "anvil", "--from-openzeppelin", str(hardhat_deployed["oz_manifest"]),
                    "--multisend", hardhat_deployed["multisend"], **network)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = hardhat(root, "run", "scripts/prepare_upgrade.js", "--network", "anvil", ANVIL_URL=hardhat_deployed["url"],
                  PROXY=hardhat_deployed["proxy"], TMPDIR=str(hardhat_deployed["oz_manifest"].parent.parent))
    prepared = json.loads(out.strip().splitlines()[-1])["implementation"]

    def review(implementation: str) -> dict[str, Any]:
        data = keccak(text="upgradeToAndCall(address,bytes)")[:4] + encode(["address", "bytes"], [implementation, b""])
        tx = {"safe": hardhat_deployed["safe"], "chainId": 31337, "to": hardhat_deployed["proxy"], "value": "0",
              "data": "0x" + data.hex(), "operation": 0, "safeTxGas": "0", "baseGas": "0", "gasPrice": "0",
              "gasToken": "0x" + "00" * 20, "refundReceiver": "0x" + "00" * 20, "nonce": 0}
        path = tmp_path / f"{implementation}.json"
        path.write_text(json.dumps(tx))
        proc = upgrader(root, "review", str(path), "--network", "anvil", "--json", **network)
        assert proc.returncode in (0, 1), proc.stdout + proc.stderr
        return {w["kind"]: w["message"] for w in json.loads(proc.stdout)["warnings"] if w["severity"] == "red"}

    assert review(prepared) == {}
    stranger = review(hardhat_deployed["multisend"])  # code, but no contract of this build
    assert list(stranger) == ["implementation-unknown"] and "is no contract of the build" in stranger["implementation-unknown"]
    # BoxV2's code made by a contract (the CREATE2 deployer, another salt than the build's): its immutable
    # (UUPSUpgradeable's __self) is masked when the code is compared and nothing pins its value: still red
    w3 = hardhat_deployed["w3"]
    initcode = bytes.fromhex(json.loads((root / "artifacts/contracts/BoxV2.sol/BoxV2.json").read_text())["bytecode"][2:])
    salt = b"\x01" * 32
    w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": CREATE2_DEPLOYER,
                                                                 "data": salt + initcode, "gas": 3_000_000}))
    other = "0x" + keccak(b"\xff" + bytes.fromhex(CREATE2_DEPLOYER[2:]) + salt + keccak(initcode))[12:].hex()
    assert w3.eth.get_code(w3.to_checksum_address(other))
    unpinned = review(w3.to_checksum_address(other))
    assert list(unpinned) == ["implementation-unknown"] and "apart from its immutables" in unpinned["implementation-unknown"]
