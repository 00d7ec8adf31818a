"""``import`` finds the chain of authority on chain (owner → TimelockController → its Safe or
Governor proposer), records it in the manifest, ``status`` shows it, and ``plan`` writes the
Safe's leg (``scheduleBatch`` of the upgrade calls, or the Governor's ``propose``) with the
execute leg, operation id, delay and salt that OpenZeppelin's contracts accept."""

from __future__ import annotations

import json

import pytest

from gov_fixture import TWO_DAYS, ZERO, ok_json, run

pytestmark = pytest.mark.chain


def _import(c, *extra):
    return ok_json(run(c.root, c.url, "import", "--network", "anvil", *c.system.proxy_args(),
                       "--multisend", c.system.multisend, *extra, "--json"))


def test_import_records_the_timelock_chain(timelocked):
    c, s = timelocked, timelocked.system
    imported = _import(c)
    assert imported["safe"] == s.safe
    assert {p["name"]: p["governor"] for p in imported["proxies"]} == {"Box": s.timelock, "Shelf": s.timelock}
    assert all(p["governed_by_safe"] for p in imported["proxies"])
    g = imported["governance"]
    assert g["kind"] == "timelock" and g["governor"] is None
    tl = g["timelock"]
    assert tl["address"] == s.timelock and tl["min_delay"] == TWO_DAYS and tl["oz_version"] == s.oz
    assert tl["proposers"] == [s.safe] and tl["cancellers"] == [s.safe]
    assert tl["executor_open"] is (s.variant != "safe-exec")
    assert tl["executors"] == ([s.safe] if s.variant == "safe-exec" else [])
    written = json.loads((c.root / "deployments" / "anvil" / "manifest.json").read_text())
    assert written["governance"] == g

    status = ok_json(run(c.root, c.url, "status", "--network", "anvil", "--json"))
    assert {p["name"]: p["state"] for p in status["proxies"]} == {"Box": "pending", "Shelf": "pending"}
    assert any(s.timelock in line and "min delay 2d 0h" in line for line in status["governance"])
    assert status["operations"] == []
    human = run(c.root, c.url, "status", "--network", "anvil")
    assert human.exit_code == 0 and f"TimelockController {s.timelock}" in human.stdout


def test_import_records_the_governor_chain(governed):
    c, s = governed, governed.system
    refused = run(c.root, c.url, "import", "--network", "anvil", *s.proxy_args(), "--multisend", s.multisend)
    assert refused.exit_code == 2 and f"Governor {s.governor}" in refused.stdout + refused.stderr and "--safe" in refused.stdout + refused.stderr
    imported = _import(c, "--safe", s.safe)
    g = imported["governance"]
    assert g["kind"] == "governor" and g["timelock"]["proposers"] == [s.governor]
    assert g["governor"]["address"] == s.governor and g["governor"]["token"] == s.token
    assert g["governor"]["oz_version"] == s.oz and g["governor"]["voting_period"] == 20


def test_a_manifest_without_a_chain_is_unchanged(timelocked):
    """A Safe-governed manifest has no governance key, so its file and hash are as before."""
    from upgrader.manifest import Manifest

    c = timelocked
    _import(c)
    data = json.loads((c.root / "deployments" / "anvil" / "manifest.json").read_text())
    data.pop("governance")
    assert "governance" not in Manifest.model_validate(data).to_json()


def test_plan_wraps_the_batch_in_a_timelock_operation(timelocked):
    from upgrader.governance.operation import TimelockOperation
    from upgrader.stages.planfile import plan_hash

    c, s = timelocked, timelocked.system
    _import(c)
    made = ok_json(run(c.root, c.url, "plan", "--network", "anvil", "--json"))
    plan = made["plan"]
    g = plan["governance"]
    assert g["kind"] == "timelock" and g["delay"] == TWO_DAYS and g["executor"] == ("safe" if s.variant == "safe-exec" else "anyone")
    direct = {k: v for k, v in plan.items() if k not in ("governance", "plan_hash")}
    direct["calls"] = [*plan["calls"][:-1], *g["calls"]]
    assert g["batch_hash"] == plan_hash(direct)  # the salt names the plan as the Safe would run it directly
    op = TimelockOperation.from_json(g["operation"])
    assert "0x" + op.salt.hex() == g["batch_hash"] and op.predecessor == bytes(32)
    assert s.timelock_contract().functions.hashOperationBatch(list(op.targets), list(op.values), list(op.payloads),
                                                              op.predecessor, op.salt).call().hex() == g["operation"]["id"][2:]
    *deploys, schedule = plan["calls"]
    assert len(deploys) == 2 and all(d["description"].startswith("deploy ") for d in deploys)
    assert schedule["to"] == s.timelock and schedule["data"] == "0x" + op.schedule_data(TWO_DAYS).hex()
    assert g["execute"]["data"] == "0x" + op.execute_data().hex()
    assert set(op.targets) == {s.box, s.shelf_admin}


def test_plan_for_a_governor_is_a_proposal(governed):
    from upgrader.governance.operation import GovernorProposal

    c, s = governed, governed.system
    _import(c, "--safe", s.safe)
    plan = ok_json(run(c.root, c.url, "plan", "--network", "anvil", "--json"))["plan"]
    g = plan["governance"]
    proposal = GovernorProposal.from_json(g["proposal"])
    assert g["batch_hash"] in proposal.description
    assert s.governor_contract().functions.hashProposal(list(proposal.targets), list(proposal.values), list(proposal.calldatas),
                                                        proposal.description_hash).call() == int(g["proposal"]["id"])
    assert plan["calls"][-1] == {**plan["calls"][-1], "to": s.governor, "data": "0x" + proposal.propose_data().hex()}
    assert g["operation"]["id"] == "0x" + proposal.timelock_operation(s.governor, s.oz).id.hex()


def test_plan_refuses_when_the_safe_lost_the_proposer_role(case):
    from gov_fixture import safe_execute, warp
    from upgrader.governance import abi
    from upgrader.governance.operation import TimelockOperation, calldata

    c = case("open")
    s = c.system
    _import(c)
    revoke = TimelockOperation((s.timelock,), (0,), (calldata(abi.REVOKE_ROLE, [abi.PROPOSER_ROLE, s.safe]),), salt=b"\x01" * 32)
    safe_execute(s, s.timelock, revoke.schedule_data(TWO_DAYS))
    warp(c.w3, TWO_DAYS)
    c.w3.eth.send_transaction({"from": c.w3.eth.accounts[9], "to": s.timelock, "data": "0x" + revoke.execute_data().hex()})
    refused = run(c.root, c.url, "plan", "--network", "anvil")
    assert refused.exit_code == 1 and "no longer holds PROPOSER_ROLE" in refused.stdout + refused.stderr
    assert ZERO not in refused.stdout


def test_a_resealed_plan_with_a_bad_governance_section_is_refused(case):
    """The seal proves no authorship: every governance field the legs read is typed on load."""
    from upgrader.stages.planfile import seal, write_plan

    c = case("open")
    _import(c)
    plan = ok_json(run(c.root, c.url, "plan", "--network", "anvil", "--json"))["plan"]
    body = {k: v for k, v in plan.items() if k != "plan_hash"}
    body["governance"] = {**body["governance"], "executor": "nobody", "delay": -1}
    path = write_plan(seal(body), c.root / "deployments" / "anvil" / "plans")
    refused = run(c.root, c.url, "simulate", str(path))
    assert refused.exit_code == 2 and "governance" in refused.stdout + refused.stderr
