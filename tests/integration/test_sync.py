"""`upgrader sync`: upgrades the manifest does not know about (executed through the Safe by
someone else, or by an `execute` that died after broadcasting) are found in the chain's
events and recorded: as the plan's when one of our plans made the Safe transaction, else as
done outside upgrader with the matching build contract or `unknown code`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from upgrader.build import artifacts
from upgrader.chain import create2
from upgrader.chain.events import UPGRADED, read_events
from upgrader.sim.safe_exec import approve_and_execute, safe_contract
from upgrader.stages.batch import plan_safe_tx
from upgrader.stages.plan import make_plan
from upgrader.stages.planfile import write_plan
from upgrader.stages.status import status
from upgrader.stages.sync import UNKNOWN_CODE, sync
from upgrader.safe.multisend import Batch

pytestmark = pytest.mark.chain


def through_the_safe(chain: Any, proxy: str, art: Any) -> str:
    """What an owner does from the Safe's own UI: a Safe transaction calling upgradeToAndCall."""
    impl, _, _ = create2.ensure_deployed(chain.w3, chain.deployer, art.initcode)
    data = chain.contract(proxy).functions.upgradeToAndCall(impl, b"")._encode_transaction_data()
    nonce = safe_contract(chain.w3, chain.safe).functions.nonce().call()
    tx = Batch().add_call(chain.address(proxy), data).to_safe_tx(chain.manifest.safe.multisend_call_only, nonce)
    approve_and_execute(chain.w3, chain.safe, tx, chain.owners[:2])
    return impl


def test_upgrade_through_the_safe_outside_upgrader_is_recorded(chain, make_ctx):
    ctx = make_ctx()
    impl = through_the_safe(chain, "RentVault", artifacts.find(chain.build_info, "RentVaultV2"))
    before = status(ctx)
    assert before.drifted == ["RentVault"] and "upgrader sync --network test" in before.hint
    report = sync(ctx)
    (rec,) = report.recorded
    assert (rec.proxy, rec.implementation, rec.origin, rec.plan_hash) == ("RentVault", impl, "outside", None)
    assert rec.contract == "contracts/v2/RentVaultV2.sol:RentVaultV2"
    assert rec.safe_tx_hash in {e.safe_tx_hash for e in report.executions if e.ok}
    entry = ctx.manifest().proxy("RentVault").history[-1]
    assert (entry.origin, entry.to_implementation, entry.tx, entry.block) == ("outside", impl, rec.tx, rec.block)
    after = {p.name: p.state for p in status(ctx).proxies}
    assert after == {"AccessHub": "in_sync", "PropertyRegistry": "pending", "RentVault": "in_sync"}
    assert sync(ctx).recorded == []  # nothing new the second time


def test_code_not_in_the_build_is_unknown_code(chain, make_ctx, fixture_build):
    ctx = make_ctx()  # the project build: RentVaultEvil is not in it
    impl = through_the_safe(chain, "RentVault", artifacts.find(fixture_build, "RentVaultEvil"))
    (rec,) = sync(ctx).recorded
    assert rec.implementation == impl and rec.contract == UNKNOWN_CODE and rec.origin == "outside"
    record = ctx.manifest().proxy("RentVault").implementation
    assert record.contract == UNKNOWN_CODE and record.storage_layout == {}


def test_our_plan_executed_by_someone_else_is_recorded_as_the_plans(chain, make_ctx):
    ctx = make_ctx()
    plan = make_plan(ctx)
    write_plan(plan, ctx.plans_dir)
    nonce = safe_contract(chain.w3, chain.safe).functions.nonce().call()
    approve_and_execute(chain.w3, chain.safe, plan_safe_tx(plan, nonce), chain.owners[:2])
    report = sync(ctx)
    assert {r.proxy for r in report.recorded} == {u["proxy"] for u in plan["upgrades"]}
    assert all(r.origin == "upgrader" and r.plan_hash == plan["plan_hash"] for r in report.recorded)
    assert [e.plan_hash for e in report.executions] == [plan["plan_hash"]]
    assert {p.state for p in status(ctx).proxies} == {"in_sync"}


def test_paged_log_reads_see_the_same_events(chain, make_ctx):
    through_the_safe(chain, "RentVault", artifacts.find(chain.build_info, "RentVaultV2"))
    head = chain.w3.eth.block_number
    proxies = [p.address for p in chain.manifest.proxies]
    whole = list(read_events(chain.w3, proxies, [UPGRADED], 0, head))
    paged = list(read_events(chain.w3, proxies, [UPGRADED], 0, head, page=3))
    assert whole == paged and len(whole) >= 4  # three deployments and the upgrade


def test_cli_sync_json(cli, chain):
    through_the_safe(chain, "RentVault", artifacts.find(chain.build_info, "RentVaultV2"))
    drift = cli.run("status", "--json")
    assert json.loads(drift.stdout)["drifted"] == ["RentVault"]
    out = cli.run("sync", "--json")
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    assert [r["proxy"] for r in data["recorded"]] == ["RentVault"]
    assert json.loads(cli.run("status", "--json").stdout)["drifted"] == []


def _upgraded_block(chain: Any, proxy: str) -> int:
    (ev,) = [e for e in read_events(chain.w3, [chain.address(proxy)], [UPGRADED], 0, chain.w3.eth.block_number)][-1:]
    return ev.block


def test_an_upgrade_older_than_from_block_is_found_from_the_deploy_block(chain, make_ctx):
    """Issue 22: `sync --from-block` past an upgrade of another proxy: the proxy whose chain
    implementation the window leaves unexplained is read again from its deploy block."""
    ctx = make_ctx()
    old = through_the_safe(chain, "RentVault", artifacts.find(chain.build_info, "RentVaultV2"))
    older = _upgraded_block(chain, "RentVault")
    newer_impl = through_the_safe(chain, "PropertyRegistry", artifacts.find(chain.build_info, "PropertyRegistryV2"))
    newer = _upgraded_block(chain, "PropertyRegistry")
    assert older < newer
    report = sync(ctx, from_block=newer)
    assert {(r.proxy, r.implementation, r.block) for r in report.recorded} == {
        ("RentVault", old, older), ("PropertyRegistry", newer_impl, newer)}
    assert [n for n in report.notes if n.startswith("RentVault: upgraded to")], report.notes
    assert status(ctx).drifted == []
    assert ctx.manifest().proxy("RentVault").history[-1].block == older
    again = sync(ctx)
    assert again.recorded == [] and again.notes == []  # nothing twice, no note once the chain is explained


def test_an_upgrade_older_than_the_last_recorded_block_is_recorded(chain, make_ctx):
    """RentVault is upgraded outside upgrader; later another proxy's upgrade is recorded (as
    `execute` records its own, through manifest.history.record), which moves the cursor past
    RentVault's upgrade: a plain `sync` still finds it, once, in chain order."""
    from upgrader.manifest.history import record
    from upgrader.stages.sync import Recorded, _seen, last_recorded_block

    ctx = make_ctx()
    old = through_the_safe(chain, "RentVault", artifacts.find(chain.build_info, "RentVaultV2"))
    older = _upgraded_block(chain, "RentVault")
    impl = through_the_safe(chain, "PropertyRegistry", artifacts.find(chain.build_info, "PropertyRegistryV2"))
    (ev,) = [e for e in read_events(chain.w3, [chain.address("PropertyRegistry")], [UPGRADED], older + 1, chain.w3.eth.block_number)]
    seen = Recorded("PropertyRegistry", impl, "contracts/v2/PropertyRegistryV2.sol:PropertyRegistryV2", "outside",
                    ev.tx, ev.block, None, None, ev.log_index)
    record(ctx.store, ctx.chain_id, [_seen(ctx, seen)])
    assert last_recorded_block(ctx.manifest()) == ev.block > older
    report = sync(ctx)
    assert report.from_block == ev.block
    assert [(r.proxy, r.implementation, r.block) for r in report.recorded] == [("RentVault", old, older)]
    history = ctx.manifest().proxy("RentVault").history
    assert [(e.to_implementation, e.block) for e in history] == [(old, older)]
    assert status(ctx).drifted == []
    assert sync(ctx).recorded == []


def test_an_implementation_set_without_an_event_is_a_note_not_a_record(chain, make_ctx):
    """A slot written without an Upgraded log (here anvil_setStorageAt): nothing is made up;
    the note says the chain is unexplained and status keeps showing the (true) drift."""
    from upgrader.constants import IMPLEMENTATION_SLOT

    ctx = make_ctx()
    impl, _, _ = create2.ensure_deployed(chain.w3, chain.deployer, artifacts.find(chain.build_info, "RentVaultV2").initcode)
    before = ctx.manifest()
    chain.w3.provider.make_request("anvil_setStorageAt", [
        chain.address("RentVault"), hex(IMPLEMENTATION_SLOT), "0x" + impl[2:].lower().rjust(64, "0")])
    report = sync(ctx)
    assert report.recorded == []
    (note,) = [n for n in report.notes if n.startswith("RentVault:")]
    assert impl in note and "nothing recorded" in note and report.unexplained == ["RentVault"]
    assert ctx.manifest() == before
    assert status(ctx).drifted == ["RentVault"]


def test_cli_sync_says_what_no_event_explains(cli, chain):
    from upgrader.constants import IMPLEMENTATION_SLOT

    impl, _, _ = create2.ensure_deployed(chain.w3, chain.deployer, artifacts.find(chain.build_info, "RentVaultV2").initcode)
    chain.w3.provider.make_request("anvil_setStorageAt", [
        chain.address("RentVault"), hex(IMPLEMENTATION_SLOT), "0x" + impl[2:].lower().rjust(64, "0")])
    out = cli.run("sync")
    assert out.exit_code == 0, out.stderr
    assert "already matches" not in out.stdout and "no event explains what the chain runs for RentVault" in out.stdout
    data = json.loads(cli.run("sync", "--json").stdout)
    assert data["unexplained"] == ["RentVault"] and data["recorded"] == []


def test_an_explained_chain_reads_no_older_logs(chain, deployments):
    """No drift, no back-scan: through a recording proxy in front of the same Anvil, sync asks
    for logs of its window only, and says nothing about proxies."""
    from fault_proxy import FaultProxy

    from integration_helpers import network_context

    from upgrader.chain.rpc import connect

    with FaultProxy(chain.w3.provider.endpoint_uri) as proxy:
        ctx = network_context(chain.config, connect(proxy.url()), chain.build_info, deployments, None)
        report = sync(ctx)
        logs = proxy.methods().count("eth_getLogs")
    assert report.recorded == [] and report.notes == []
    assert logs == 1  # one eth_getLogs: the window (proxies, beacons, Safe); each proxy costs one slot read
