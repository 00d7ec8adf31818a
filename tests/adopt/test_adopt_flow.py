"""Issue 10's adoption flow on the Foundry fixture, through the CLI and the local Safe
Transaction Service: import the forge-deployed system (UUPS on OZ 5, Transparent + ProxyAdmin,
Beacon with two proxies, UUPS on OZ 4.9, Transparent + ProxyAdmin on OZ 4.9), see it in sync, write a V2 of each, plan, simulate,
propose, review, confirm, execute, and see it in sync on the V2s."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adopt_fixture import add_v2, ok_json, owner_keys, run

pytestmark = pytest.mark.chain


def test_forge_deployed_system_upgrades_through_the_safe(adopted, tmp_path: Path, monkeypatch):
    from upgrader.stages.context import open_network
    from upgrader.stages.execute.queued import confirm, execute
    from upgrader.stages.planfile import load_plan
    from upgrader.stages.propose import propose
    from upgrader.stages.sign.signer import KeySigner
    from upgrader.safe_service import HttpTransactionService
    from upgrader.safe_service.local.server import LocalServiceServer, LocalTransactionService

    imported = ok_json(run(adopted, "import", "--network", "anvil", "--from-forge-broadcast", str(adopted.broadcast),
                           "--multisend", adopted.multisend, "--json"))
    by_name = {p["name"]: p for p in imported["proxies"]}
    assert {n: p["kind"] for n, p in by_name.items()} == {
        "Counter": "uups", "Vault": "transparent", "Item": "beacon", "LegacyCounter": "uups-oz4",
        "Registry": "transparent-oz4"}
    assert imported["safe"] == adopted.safe and all(p["governed_by_safe"] for p in imported["proxies"])
    assert len(by_name["Item"]["beacon_proxies"]) == 2 and by_name["Vault"]["admin"]
    manifest_path = adopted.root / "deployments" / "anvil" / "manifest.json"
    written = json.loads(manifest_path.read_text())
    assert written["safe"]["owners"] == adopted.owners and written["safe"]["threshold"] == 2

    status = ok_json(run(adopted, "status", "--network", "anvil", "--json"))
    assert {p["name"]: p["state"] for p in status["proxies"]} == dict.fromkeys(by_name, "in_sync")

    add_v2(adopted.root)
    status = ok_json(run(adopted, "status", "--network", "anvil", "--json"))
    assert {p["name"]: p["state"] for p in status["proxies"]} == dict.fromkeys(by_name, "pending")

    made = ok_json(run(adopted, "plan", "--network", "anvil", "--json"))
    plan = made["plan"]
    calls = [c["description"] for c in plan["calls"]]
    assert any(c.startswith("Counter.upgradeToAndCall(") for c in calls)
    assert any(c.startswith("ProxyAdmin.upgradeAndCall(Vault") for c in calls)
    assert any(c.startswith("UpgradeableBeacon.upgradeTo(") for c in calls)
    assert any(c.startswith("LegacyCounter.upgradeTo(") for c in calls)  # 4.x, no initializer
    assert any(c.startswith("ProxyAdmin.upgrade(Registry") for c in calls)  # 4.x ProxyAdmin, no initializer
    assert sum(c.startswith("Item proxy") for c in calls) == 2  # the reinitializer on both beacon proxies
    vault = next(u for u in plan["upgrades"] if u["proxy"] == "Vault")
    assert int(vault["to"]["constructor_args"], 16) == 5000

    simulated = run(adopted, "simulate", made["path"], "--json")
    sim = json.loads(simulated.stdout)
    assert simulated.exit_code == 0 and sim["ok"], [c for c in sim["checks"] if not c["ok"]]
    names = {c["name"] for c in sim["checks"]}
    assert {"Counter: smoke limit()", "Vault: smoke cap()", "LegacyCounter: smoke version()"} <= names
    assert sum(n.endswith("smoke note()") for n in names) == 2

    keys = owner_keys(adopted.owners)
    from upgrader import config

    monkeypatch.setenv("UPGRADER_RPC_ANVIL", adopted.url)
    ctx = open_network("anvil", config.load(adopted.root))
    svc = LocalTransactionService(adopted.url, tmp_path / "service.json", (adopted.multisend,))
    with LocalServiceServer(svc) as server:
        client = HttpTransactionService(server.url, timeout_s=5.0)
        proposal = propose(ctx, load_plan(Path(made["path"])), client, KeySigner(keys[0]))
        assert proposal.review_ok, proposal.review_path.read_text()
        reviewed = run(adopted, "review", str(proposal.proposal_path), "--plan", made["path"], "--network", "anvil", "--json")
        review = ok_json(reviewed)
        assert review["ok"] and not [w for w in review["warnings"] if w["severity"] == "red"]
        confirm(ctx, client, proposal.safe_tx_hash, KeySigner(keys[1]))
        done = execute(ctx, client, proposal.safe_tx_hash)
    assert set(done.proxies) == set(by_name)

    status = ok_json(run(adopted, "status", "--network", "anvil", "--json"))
    assert {p["name"]: p["state"] for p in status["proxies"]} == dict.fromkeys(by_name, "in_sync")
    after = json.loads(manifest_path.read_text())
    assert {p["name"]: p["implementation"]["contract"].rsplit(":", 1)[1] for p in after["proxies"]} == {
        "Counter": "CounterV2", "Vault": "VaultV2", "Item": "ItemV2", "LegacyCounter": "LegacyCounterV2",
        "Registry": "RegistryV2"}
