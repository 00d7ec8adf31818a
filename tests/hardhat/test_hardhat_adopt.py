"""A system deployed by hardhat-upgrades (the project's own `npx hardhat run`, `upgrades.deployProxy`)
on Anvil is adopted from the OpenZeppelin manifest hardhat-upgrades itself wrote: `upgrader import
--from-openzeppelin` records it, `upgrader status` says in_sync."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from hardhat_project import upgrader

pytestmark = pytest.mark.chain


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
