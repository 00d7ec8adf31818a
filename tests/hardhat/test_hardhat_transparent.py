"""A Transparent proxy deployed by hardhat-upgrades (the project's own `npx hardhat run`,
`upgrades.deployProxy(..., { kind: "transparent" })`), adopted from the OpenZeppelin manifest,
then upgraded by the team's own `upgrades.upgradeProxy` outside upgrader, as in
BenBktech/Update-smart-contracts-with-TransparentUpgradeableProxy-by-OpenZeppelin@6a11fe394ad3bf305990479bf0a84cd1bb55d90b
(scripts/deploy_box_v1.ts, scripts/deploy_box_v2.ts). `upgrader sync` records that upgrade and
says nothing of the AdminChanged the proxy logged while it was created: with no later record,
its window starts at the deploy block and sees the constructor's logs. Before the import, a
command that needs the manifest says to run `upgrader import` (not `make demo`, which only
upgrader's own checkout has), and plain `upgrader check` takes the module import wrote (a proxy,
no target) for one with nothing to check, not for an unknown contract ''."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from hardhat_project import ROOT, hardhat, upgrader

pytestmark = pytest.mark.chain
IMPLEMENTATION_SLOT = 0x360894A13BA1A3210667C828492DB98DCA3E2076CC3735A920A3CA505D382BBC  # ERC-1967


def test_an_upgrade_made_with_hardhat_upgrades_is_synced_without_construction_noise(hardhat_root: Path,
                                                                                   tmp_path: Path) -> None:
    from eth_utils import to_checksum_address

    from upgrader.chain import anvil as anvil_mod
    from upgrader.chain.rpc import connect
    from upgrader.deploy.safe import create_safe, deploy_infrastructure

    root = tmp_path / "project"
    shutil.copytree(hardhat_root, root, symlinks=True)
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    with anvil_mod.running(["--silent"], root=ROOT) as node:
        w3 = connect(node.url)
        accounts = [to_checksum_address(a) for a in w3.eth.accounts]
        infra = deploy_infrastructure(w3, accounts[0])
        safe = create_safe(w3, accounts[0], infra, sorted(accounts[1:4], key=lambda a: int(a, 16)), threshold=2)
        out = hardhat(root, "run", "scripts/deploy_transparent.js", "--network", "anvil", ANVIL_URL=node.url, TMPDIR=str(tmpdir))
        deployed = json.loads(out.strip().splitlines()[-1])
        (oz_manifest,) = (tmpdir / "openzeppelin-upgrades").glob("anvil-31337-*.json")
        network = {"UPGRADER_RPC_ANVIL": node.url}
        proc = upgrader(root, "status", "--network", "anvil", **network)  # before import: says how to get a manifest
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert proc.returncode == 2 and len(lines) == 1, proc.stdout + proc.stderr
        assert "`upgrader import --network anvil`" in lines[0] and "make demo" not in lines[0], lines[0]
        proc = upgrader(root, "import", "--network", "anvil", "--from-openzeppelin", str(oz_manifest), "--safe", safe,
                        "--multisend", infra.multisend_call_only, "--json", **network)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        (proxy,) = json.loads(proc.stdout)["proxies"]
        assert (proxy["name"], proxy["kind"], proxy["contract"]) == ("Counter", "transparent", "contracts/Counter.sol:Counter")
        # import wrote [modules.Counter] proxy = "0x…" (no target yet): plain `upgrader check` checks the build as before
        proc = upgrader(root, "check", "--json")
        assert proc.returncode == 1 and not proc.stderr.strip(), proc.stdout + proc.stderr  # BoxV2Unsafe, and only it
        assert [c["contract"] for c in json.loads(proc.stdout)["contracts"] if not c["ok"]] == ["contracts/BoxV2Unsafe.sol:BoxV2Unsafe"]

        hardhat(root, "run", "scripts/upgrade_transparent.js", "--network", "anvil", ANVIL_URL=node.url,
                TMPDIR=str(tmpdir), PROXY=deployed["proxy"])
        upgraded = to_checksum_address(w3.eth.get_storage_at(deployed["proxy"], IMPLEMENTATION_SLOT)[-20:])
        assert upgraded != deployed["implementation"]
        proc = upgrader(root, "status", "--network", "anvil", "--json", **network)
        assert [p["state"] for p in json.loads(proc.stdout)["proxies"]] == ["drift"], proc.stdout + proc.stderr

        proc = upgrader(root, "watch", "--network", "anvil", "--once", **network)
        assert proc.returncode == 1, proc.stdout + proc.stderr  # an upgrade no plan explains: true
        (finding,) = [json.loads(line) for line in proc.stdout.splitlines()]
        assert (finding["kind"], finding["new"], finding["probes"]["built"]) == (
            "unplanned-upgrade", upgraded, "contracts/CounterV2.sol:CounterV2")
        # the live chain is probed as it is now: no batch ran (the fork's wording said "after the batch")
        assert "proxy Counter: now (version 1): initialize(uint256) reverts: already initialized" in finding["probes"]["notes"]

        proc = upgrader(root, "sync", "--network", "anvil", "--json", **network)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        report = json.loads(proc.stdout)
        assert [(r["proxy"], r["implementation"], r["contract"], r["origin"]) for r in report["recorded"]] == [
            ("Counter", upgraded, "contracts/CounterV2.sol:CounterV2", "outside")]
        assert report["notes"] == [] and report["unexplained"] == []  # the constructor's AdminChanged is no change
        proc = upgrader(root, "status", "--network", "anvil", "--json", **network)
        assert [p["state"] for p in json.loads(proc.stdout)["proxies"]] == ["in_sync"], proc.stdout + proc.stderr
