"""``review`` of what a Timelock or Governor will run later: the scheduled calls are decoded
down to the proxy calls, the operation / proposal id recomputed, delay and ETA shown, and one
test per red warning (each batch differs from the plan's in exactly that way; the plan's own
batch is green)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gov_fixture import TWO_DAYS, ZERO, ok_json, run

pytestmark = pytest.mark.chain


def _setup(c, *import_args, simulate: bool = False):
    from upgrader.manifest import ManifestStore
    from upgrader.stages.planfile import load_plan

    ok_json(run(c.root, c.url, "import", "--network", "anvil", *c.system.proxy_args(), "--multisend", c.system.multisend,
                *import_args, "--json"))
    made = ok_json(run(c.root, c.url, "plan", "--network", "anvil", "--json"))
    if simulate:
        assert ok_json(run(c.root, c.url, "simulate", made["path"], "--json"))["ok"]
    manifest = ManifestStore(c.root / "deployments", "anvil").load()
    return manifest, load_plan(Path(made["path"])), Path(made["path"])


def _review(c, manifest, plan, calls: list[dict[str, Any]], plan_path: Path | None = None, with_plan: bool = True):
    from upgrader.build.project import project_build_info
    from upgrader.chain.rpc import code_at
    from upgrader.safe import Call, add_checksum, build_batch_file
    from upgrader.stages.review.report import ReviewContext, review
    from upgrader.stages.review.subject import subject_from_json

    batch = build_batch_file(chain_id=31337, safe=manifest.safe.address, calls=[Call(x["to"], x["data"], int(x["value"])) for x in calls],
                             name="test", created_at_ms=1700000000000)
    batch["meta"]["nonce"] = "0"
    ctx = ReviewContext(manifest=manifest, build_info=project_build_info(c.root), read_code=lambda a: code_at(c.w3, a),
                        plan=plan if with_plan else None, plan_path=plan_path, proposals_dir=c.root / "deployments" / "anvil" / "proposals")
    return review(subject_from_json(add_checksum(batch), "test.json"), ctx)


def red(report) -> set[str]:
    return {w.kind for w in report.red} - {"not-simulated"}  # only the baselines run simulate (they assert report.ok)


def _call(to: str, data: bytes) -> dict[str, Any]:
    return {"to": to, "value": "0", "operation": 0, "data": "0x" + data.hex(), "description": "test"}


def _scheduled(plan, op, delay=TWO_DAYS) -> list[dict[str, Any]]:
    """The plan's deployments, then a scheduleBatch of ``op``."""
    return [*plan["calls"][:-1], _call(plan["governance"]["timelock"], op.schedule_data(delay))]


@pytest.fixture
def planned(case):
    c = case("open")
    manifest, plan, path = _setup(c)
    return c, manifest, plan, path


def test_the_plans_own_schedule_is_green_and_shows_id_delay_eta(case):
    from upgrader.stages.review.report import render_markdown

    c = case("open")
    manifest, plan, path = _setup(c, simulate=True)
    report = _review(c, manifest, plan, plan["calls"], path)
    assert report.ok, [w.to_json() for w in report.red]
    (entry,) = report.governance
    assert entry["operation_id"] == plan["governance"]["operation"]["id"] and entry["delay"] == TWO_DAYS
    assert entry["salt"] == plan["governance"]["batch_hash"] and entry["eta_if_executed_now"].endswith("UTC")
    schedule = next(n for n in report.root.walk() if n.function == "scheduleBatch")
    assert [n.function for n in schedule.calls] == ["upgradeToAndCall", "upgradeAndCall"]
    assert schedule.calls[0].args[1]["decoded"].function == "initializeV2"  # down to the reinitializer
    text = render_markdown(report)
    assert f"schedules operation `{entry['operation_id']}`" in text and "delay 2d 0h" in text


def test_unplanned_scheduled_call_is_red(planned):
    from upgrader.governance.operation import TimelockOperation

    c, manifest, plan, path = planned
    s = c.system
    op = TimelockOperation.from_json(plan["governance"]["operation"])
    steal = bytes.fromhex(s.contract("Box", s.box).encode_abi("transferOwnership", [c.w3.eth.accounts[9]])[2:])
    extra = TimelockOperation((*op.targets, s.box), (*op.values, 0), (*op.payloads, steal), op.predecessor, op.salt)
    report = _review(c, manifest, plan, _scheduled(plan, extra), path)
    assert "unplanned-scheduled-call" in red(report)
    hit = next(w for w in report.red if w.kind == "unplanned-scheduled-call")
    assert "transferOwnership" in hit.message and hit.path.endswith(".3")


def test_delay_below_the_minimum_is_red(planned):
    from upgrader.governance.operation import TimelockOperation

    c, manifest, plan, path = planned
    op = TimelockOperation.from_json(plan["governance"]["operation"])
    report = _review(c, manifest, plan, _scheduled(plan, op, delay=TWO_DAYS - 1), path, with_plan=False)
    assert red(report) == {"timelock-delay-too-short"}


@pytest.mark.parametrize("field", ["predecessor", "salt"])
def test_predecessor_or_salt_other_than_the_plans_is_red(planned, field):
    from dataclasses import replace

    from upgrader.governance.operation import TimelockOperation

    c, manifest, plan, path = planned
    op = replace(TimelockOperation.from_json(plan["governance"]["operation"]), **{field: b"\x42" * 32})
    report = _review(c, manifest, plan, _scheduled(plan, op), path)
    assert f"timelock-{field}-mismatch" in red(report)
    assert "unplanned-scheduled-call" not in red(report)  # the calls themselves are the plan's


def test_execute_payload_other_than_the_scheduled_one_is_red(planned):
    """The Safe's execute leg must run exactly the planned operation; and a batch that schedules
    one operation and executes another is red even without a plan."""
    from upgrader.governance.operation import TimelockOperation

    c, manifest, plan, path = planned
    tl = plan["governance"]["timelock"]
    op = TimelockOperation.from_json(plan["governance"]["operation"])
    other = TimelockOperation(op.targets[:1], op.values[:1], op.payloads[:1], op.predecessor, op.salt)
    good = _review(c, manifest, plan, [_call(tl, op.execute_data())], path)
    assert "execute-mismatch" not in red(good)
    assert "execute-mismatch" in red(_review(c, manifest, plan, [_call(tl, other.execute_data())], path))
    both = _review(c, manifest, plan, [*_scheduled(plan, op), _call(tl, other.execute_data())], path, with_plan=False)
    assert "execute-mismatch" in red(both)


@pytest.mark.parametrize("hidden", ["updateDelay", "grantRole", "revokeRole"])
def test_timelock_settings_hidden_in_the_scheduled_batch_are_red(planned, hidden):
    from upgrader.governance import abi
    from upgrader.governance.operation import TimelockOperation, calldata

    c, manifest, plan, path = planned
    tl = plan["governance"]["timelock"]
    data = {"updateDelay": calldata(abi.UPDATE_DELAY, [0]),
            "grantRole": calldata(abi.GRANT_ROLE, [abi.PROPOSER_ROLE, c.w3.eth.accounts[9]]),
            "revokeRole": calldata(abi.REVOKE_ROLE, [abi.PROPOSER_ROLE, manifest.safe.address])}[hidden]
    op = TimelockOperation.from_json(plan["governance"]["operation"])
    sneaky = TimelockOperation((*op.targets, tl), (*op.values, 0), (*op.payloads, data), op.predecessor, op.salt)
    report = _review(c, manifest, plan, _scheduled(plan, sneaky), path, with_plan=False)
    assert red(report) == {"timelock-settings-change"}
    assert next(w for w in report.red).path.endswith(".3")


def test_cancel_of_a_planned_operation_hidden_in_a_batch_is_red(planned):
    from upgrader.governance import abi
    from upgrader.governance.operation import calldata

    c, manifest, plan, path = planned
    s = c.system
    store = s.contract("Box", s.box).encode_abi("store", [1])
    op_id = bytes.fromhex(plan["governance"]["operation"]["id"][2:])
    calls = [_call(s.box, bytes.fromhex(store[2:])), _call(plan["governance"]["timelock"], calldata(abi.CANCEL, [op_id]))]
    report = _review(c, manifest, plan, calls, with_plan=False)  # found among the network's plans, no --plan needed
    assert "cancels-planned-operation" in red(report)
    other = _review(c, manifest, plan, [calls[0], _call(plan["governance"]["timelock"], calldata(abi.CANCEL, [b"\x01" * 32]))],
                    with_plan=False)
    assert "cancels-planned-operation" not in red(other) and "timelock-cancel" in {w.kind for w in other.warnings}


def test_governor_proposal_decoded_and_checked(case):
    from upgrader.governance.operation import GovernorProposal

    c = case("governor")
    manifest, plan, path = _setup(c, "--safe", c.system.safe, simulate=True)
    report = _review(c, manifest, plan, plan["calls"], path)
    assert report.ok, [w.to_json() for w in report.red]
    (entry,) = report.governance
    assert entry["proposal_id"] == plan["governance"]["proposal"]["id"]
    assert entry["operation_id"] == plan["governance"]["operation"]["id"]
    p = GovernorProposal.from_json(plan["governance"]["proposal"])
    edited = GovernorProposal(p.targets, p.values, p.calldatas, p.description + " (edited)")
    calls = [*plan["calls"][:-1], _call(c.system.governor, edited.propose_data())]
    assert "timelock-salt-mismatch" in red(_review(c, manifest, plan, calls, path))
    more = GovernorProposal((*p.targets, ZERO), (*p.values, 1), (*p.calldatas, b""), p.description)
    assert "unplanned-scheduled-call" in red(_review(c, manifest, plan, [*plan["calls"][:-1], _call(c.system.governor, more.propose_data())], path))


def test_review_simulate_runs_the_scheduled_operation_at_its_eta(case, tmp_path):
    """review --simulate of the Safe's schedule leg: the schedule on a fork, then, at the ETA,
    the operation itself, with its decoded state diff (the proxies' new implementations)."""
    import json

    from gov_fixture import TWO_DAYS  # noqa: F401 (the fixture's delay, named in the checks)

    c = case("open")
    manifest, plan, path = _setup(c)
    calls = plan["calls"]
    from upgrader.safe import Call, add_checksum, build_batch_file

    batch = build_batch_file(chain_id=31337, safe=manifest.safe.address, calls=[Call(x["to"], x["data"], int(x["value"])) for x in calls],
                             name="test", created_at_ms=1700000000000)
    batch["meta"]["nonce"] = "0"
    file = tmp_path / "batch.json"
    file.write_text(json.dumps(add_checksum(batch)))
    result = run(c.root, c.url, "review", str(file), "--network", "anvil", "--simulate", "--json")
    out = json.loads(result.stdout)
    sim = out["simulation"]
    assert [ch["name"] for ch in sim["later_checks"]] == ["timelock: scheduled", "timelock: not before its time", "timelock: ready",
                                                          "timelock: execute", "timelock: executed"]
    assert all(ch["ok"] for ch in sim["later_checks"])
    eta = sim["at_eta"]
    assert eta["execution"]["ok"] and {ch["proxy"] for ch in eta["proxy_changes"] if ch["setting"] == "implementation"} == {"Box", "Shelf"}
    assert not any(w["kind"] == "simulation-reverted" for w in out["warnings"])

    # the same batch with the Box call swapped for a reverting one: red, at its ETA
    from upgrader.governance.operation import TimelockOperation

    op = TimelockOperation.from_json(plan["governance"]["operation"])
    bad = TimelockOperation(op.targets, op.values, (b"\xde\xad\xbe\xef", *op.payloads[1:]), op.predecessor, op.salt)
    calls = [*calls[:-1], _call(plan["governance"]["timelock"], bad.schedule_data(TWO_DAYS))]
    batch = build_batch_file(chain_id=31337, safe=manifest.safe.address, calls=[Call(x["to"], x["data"], int(x["value"])) for x in calls],
                             name="test", created_at_ms=1700000000000)
    batch["meta"]["nonce"] = "0"
    file.write_text(json.dumps(add_checksum(batch)))
    out = json.loads(run(c.root, c.url, "review", str(file), "--network", "anvil", "--simulate", "--json").stdout)
    assert any(w["kind"] == "simulation-reverted" and "at its ETA" in w["message"] for w in out["warnings"])
