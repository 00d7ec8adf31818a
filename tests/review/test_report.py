"""Hashes, the public checksum vector, the plan proof, JSON shape and the markdown file."""

from __future__ import annotations

import copy
import json

from review_helpers import ATTACKER, MSCO, PROXIES, SAFE, batch_file, calldata, kinds, load_vector, raw_tx, run

from upgrader.manifest import canonical_json, manifest_hash
from upgrader.stages.planfile import PLAN_SCHEMA, seal, write_plan
from upgrader.stages.review.report import render_markdown
from upgrader.safe import Call, add_checksum
from upgrader.safe.multisend import Batch
from upgrader.safe.tx import SafeDomain, SafeTx, hashes


def test_hashes_are_recomputed_from_the_raw_fields(ctx, upgrade_calls):
    report = run(batch_file(upgrade_calls, nonce=9), ctx)
    tx = Batch(upgrade_calls).to_safe_tx(MSCO, 9)
    assert report.tx == tx
    assert report.hashes == hashes(tx, SafeDomain(31337, SAFE, "1.4.1")).to_json()
    raw = run(raw_tx(tx), ctx)
    assert raw.hashes == report.hashes and raw.subject.checksum is None


def test_safe_version_changes_the_domain(ctx, upgrade_calls):
    ctx.safe_version = "1.2.0"  # no chainId in the domain
    tx = Batch(upgrade_calls).to_safe_tx(MSCO, 9)
    assert run(raw_tx(tx), ctx).hashes == hashes(tx, SafeDomain(31337, SAFE, "1.2.0")).to_json()


def test_public_checksum_vector(ctx):
    vector = load_vector("tx-builder-checksum.json")["batch_file"]
    as_given = run(vector, ctx)  # its checksum field is empty
    assert as_given.subject.checksum == {"present": False, "valid": False}
    assert "checksum-missing" in kinds(as_given, "yellow")
    assert "wrong-safe" in kinds(as_given)  # chain 4, another Safe
    signed = add_checksum(vector)
    assert run(signed, ctx).subject.checksum == {"present": True, "valid": True}
    tampered = copy.deepcopy(signed)
    tampered["transactions"][2]["value"] = "3000000000000000000"
    report = run(tampered, ctx)
    assert report.subject.checksum == {"present": True, "valid": False} and "checksum-invalid" in kinds(report)
    # three calls -> a DELEGATECALL to the canonical MultiSendCallOnly 1.4.1 for that other Safe
    assert report.tx.operation == 1 and len(report.root.calls) == 3


def test_json_shape(ctx):
    tx = SafeTx(to=ATTACKER, data=calldata("transfer(address,uint256)", ["address", "uint256"], [ATTACKER, 1]), operation=1, nonce=2)
    out = json.loads(json.dumps(run(raw_tx(tx), ctx).to_json()))
    assert {"ok", "safe_tx_hash", "domain_hash", "message_hash", "checksum", "calls", "warnings", "plan"} <= set(out)
    assert out["ok"] is False and out["plan"] is None and out["checksum"] is None
    assert all(w["severity"] in ("red", "yellow") and w["kind"] and w["message"] for w in out["warnings"])
    root = out["calls"][0]
    assert root["operation_name"] == "DELEGATECALL" and root["function"] == "transfer"
    assert root["args"][0]["value"] == ATTACKER and root["args"][1]["type"] == "uint256" and root["args"][1]["value"] == "1"


def test_markdown_shows_verdict_hashes_calls_and_warnings(ctx, upgrade_calls):
    clean = render_markdown(run(batch_file(upgrade_calls), ctx))
    assert "PASS" in clean and "RentVaultV2.initializeV2(500, 259200)" in clean and "- none" in clean
    tx = SafeTx(to=ATTACKER, data=b"\x01\x02\x03\x04", operation=1, nonce=2)
    report = run(raw_tx(tx), ctx)
    text = render_markdown(report)
    assert "DO NOT SIGN" in text and "`delegatecall`" in text and "**DELEGATECALL**" in text
    assert report.hashes["safe_tx_hash"] in text
    assert report.hashes["domain_hash"][2:].upper() in text


# -- --plan -------------------------------------------------------------------------------------

def make_plan(calls: list[Call], ok: bool = True, manifest=None) -> dict:
    upgrade = {
        "proxy": "RentVault", "address": PROXIES["RentVault"][0],
        "from": {"contract": PROXIES["RentVault"][1], "implementation": "0x" + "00" * 20, "code_hash": "0x"},
        "to": {"contract": "contracts/v2/RentVaultV2.sol:RentVaultV2", "implementation": calls[0].to, "code_hash": "0x"},
        "init": {"function": "initializeV2", "args": ["500", "259200"], "data": "0x"},
        "check": {"ok": ok, "errors": [], "warnings": [], "contract": "x", "reference": "y"},
        "declared_changes": [],
    }
    return seal({
        "schema": PLAN_SCHEMA, "network": "local", "chain_id": 31337,
        "safe": {"address": SAFE, "version": "1.4.1", "threshold": 2, "owners": [], "multisend_call_only": MSCO},
        "manifest_hash": manifest_hash(manifest) if manifest is not None else "0x", "git": {"commit": None, "dirty": True}, "upgrades": [upgrade],
        "calls": [{"to": c.to, "value": str(c.value), "data": "0x" + c.data.hex(), "operation": 0, "description": ""} for c in calls],
    })


def with_plan(ctx, plan, tmp_path, simulation: dict | None):
    path = write_plan(plan, tmp_path)
    if simulation is not None:
        sim = {"schema": "upgrader/simulation@1", "plan_hash": plan["plan_hash"], "checks": [], **simulation}
        (tmp_path / f"{plan['plan_hash']}.simulation.json").write_text(canonical_json(sim))
    ctx.plan, ctx.plan_path = plan, path
    return ctx


def test_batch_equal_to_its_simulated_plan_passes(ctx, upgrade_calls, tmp_path):
    plan = make_plan(upgrade_calls, manifest=ctx.manifest)
    with_plan(ctx, plan, tmp_path, {"ok": True, "checks": [{"name": "safe-execution", "ok": True, "detail": ""}]})
    report = run(batch_file(upgrade_calls), ctx)
    assert report.ok and kinds(report, None) == set()
    assert report.plan["matches"] and report.plan["simulation"]["ok"] and not report.plan["stale"]
    assert report.plan["upgrades"][0]["check"]["ok"]


def test_plan_made_from_another_manifest_state_is_stale(ctx, upgrade_calls, tmp_path):
    plan = make_plan(upgrade_calls, manifest=ctx.manifest)
    data = ctx.manifest.model_dump()
    vault = next(p for p in data["proxies"] if p["name"] == "RentVault")
    vault["implementation"]["contract"] = "contracts/v2/RentVaultV2.sol:RentVaultV2"  # as after the execution
    ctx.manifest = type(ctx.manifest).model_validate(data)
    with_plan(ctx, plan, tmp_path, {"ok": True})
    report = run(batch_file(upgrade_calls), ctx)
    assert kinds(report) == {"plan-stale"} and report.plan["stale"] and report.plan["matches"]
    assert "STALE" in render_markdown(report)
    ctx.manifest = None  # offline, without the network's manifest: nothing to compare with
    assert "plan-stale" not in kinds(run(batch_file(upgrade_calls), ctx))


def test_a_batch_the_manifest_records_as_executed_is_not_stale(ctx, upgrade_calls, tmp_path):
    """Reviewed after it ran (a late signer, an audit): the manifest moved on because this very
    batch was executed, which is said in yellow, not as a red plan-stale (seen on the public repo
    Cyfrin/foundry-upgrades-cu: `review <safeTxHash>` after `execute` said DO NOT SIGN)."""
    plan = make_plan(upgrade_calls, manifest=ctx.manifest)
    with_plan(ctx, plan, tmp_path, {"ok": True})
    h = run(batch_file(upgrade_calls), ctx).hashes["safe_tx_hash"]
    data = ctx.manifest.model_dump()
    vault = next(p for p in data["proxies"] if p["name"] == "RentVault")
    entry = {"from_implementation": vault["implementation"]["address"], "to_implementation": ATTACKER,
             "to_contract": "contracts/v2/RentVaultV2.sol:RentVaultV2", "plan_hash": plan["plan_hash"], "tx": "0x" + "ab" * 32, "block": 9}
    vault["implementation"]["contract"] = "contracts/v2/RentVaultV2.sol:RentVaultV2"
    for other_hash, other_plan in (("0x" + "cd" * 32, plan["plan_hash"]), (h, "0x" + "ef" * 32)):  # another batch, another plan
        vault["history"] = [{**entry, "safe_tx_hash": other_hash, "plan_hash": other_plan}]
        ctx.manifest = type(ctx.manifest).model_validate(data)
        assert "plan-stale" in kinds(run(batch_file(upgrade_calls), ctx))
    vault["history"] = [{**entry, "safe_tx_hash": h}]
    ctx.manifest = type(ctx.manifest).model_validate(data)
    report = run(batch_file(upgrade_calls), ctx)
    assert kinds(report) == set() and report.ok, [w.message for w in report.warnings]
    (note,) = [w.message for w in report.warnings if w.kind == "already-executed"]
    assert f"executed in tx 0x{'ab' * 32} (block 9)" in note and "nothing is left to sign" in note
    assert not report.plan["stale"] and report.plan["executed"] == {"tx": "0x" + "ab" * 32, "block": 9}
    assert "STALE" not in render_markdown(report) and "nothing left to sign" in render_markdown(report)


def test_batch_that_deviates_from_its_plan_is_red(ctx, upgrade_calls, tmp_path):
    with_plan(ctx, make_plan(upgrade_calls), tmp_path, {"ok": True})
    reordered = run(batch_file(list(reversed(upgrade_calls))), ctx)
    assert "plan-mismatch" in kinds(reordered)
    assert not reordered.plan["matches"] and len(reordered.plan["differences"]) == 2
    extra = run(batch_file([*upgrade_calls, Call(PROXIES["AccessHub"][0], b"\x12\x34\x56\x78")]), ctx)
    assert any("extra call" in d for d in extra.plan["differences"])
    changed = list(upgrade_calls)
    changed[1] = Call(changed[1].to, changed[1].data[:-1] + b"\x01")
    diff = run(batch_file(changed), ctx).plan["differences"]
    assert diff == [f"call 2: data differ from the plan's call to {changed[1].to}"]
    other_multisend = SafeTx(to="0x9641d764fc13c8B624c04430C7356C1C7C8102e2", data=Batch(upgrade_calls).multisend_data(), operation=1, nonce=1)
    assert "plan-mismatch" in kinds(run(raw_tx(other_multisend), ctx))


def test_plan_without_simulation_or_with_a_failed_one_is_red(ctx, upgrade_calls, tmp_path):
    with_plan(ctx, make_plan(upgrade_calls, manifest=ctx.manifest), tmp_path, None)
    assert kinds(run(batch_file(upgrade_calls), ctx)) == {"not-simulated"}
    with_plan(ctx, make_plan(upgrade_calls, manifest=ctx.manifest), tmp_path, {"ok": False, "checks": [{"name": "RentVault: runtime-code", "ok": False, "detail": ""}]})
    report = run(batch_file(upgrade_calls), ctx)
    assert kinds(report) == {"simulation-failed"} and "runtime-code" in report.red[0].message
    with_plan(ctx, make_plan(upgrade_calls, ok=False, manifest=ctx.manifest), tmp_path, {"ok": True})
    assert kinds(run(batch_file(upgrade_calls), ctx)) == {"checker-rejects"}
