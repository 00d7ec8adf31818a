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
