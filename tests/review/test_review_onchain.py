"""On the session chain: the plan's own batch reviews clean (hashes equal the Safe's
``getTransactionHash``), and a Bybit-style batch that really replaces the Safe's singleton
when executed is what the review refuses."""

from __future__ import annotations

import copy

import pytest
from review_helpers import calldata, kinds, run

from upgrader.chain.rpc import code_at
from upgrader.sim.safe_exec import approve_and_execute, safe_contract
from upgrader.stages.context import NetworkContext
from upgrader.stages.plan import make_plan
from upgrader.stages.planfile import write_plan
from upgrader.stages.review.report import ReviewContext, render_markdown
from upgrader.stages.simulate import simulate, write_simulation
from upgrader.safe import Call, add_checksum, build_batch_file
from upgrader.safe.tx import SafeTx

pytestmark = pytest.mark.chain

# Runtime code of a minimal "attacker": sstore(0, calldataload(4)); stop. Whatever selector it
# is called with (a transfer, a sweepETH), it writes its first argument into slot 0.
SLOT0_WRITER = bytes.fromhex("60043560005500")
ATTACKER = "0x96221423681A6d52E184D440a8eFCEbB105C7242"


@pytest.fixture
def network_ctx(chain) -> NetworkContext:
    return NetworkContext(config=chain.config, network=chain.config.network(chain.network), w3=chain.w3)


def test_clean_review_of_the_plans_batch(network_ctx, chain):
    ctx = network_ctx
    plan = make_plan(ctx)
    assert plan is not None
    plan_path = write_plan(plan, ctx.plans_dir)
    sim = simulate(ctx, plan)
    assert sim.ok, [c.to_json() for c in sim.checks if not c.ok]
    write_simulation(ctx, sim)
    safe = chain.manifest.safe.address
    nonce = safe_contract(chain.w3, safe).functions.nonce().call()
    calls = [Call(c["to"], c["data"], int(c["value"])) for c in plan["calls"]]
    batch = build_batch_file(chain_id=ctx.chain_id, safe=safe, calls=calls, name="upgrade")
    batch = copy.deepcopy(batch)
    batch["meta"]["nonce"] = str(nonce)
    batch = add_checksum(batch)

    review_ctx = ReviewContext(manifest=ctx.manifest(), build_info=ctx.build_info, plan=plan, plan_path=plan_path,
                               read_code=lambda a: code_at(chain.w3, a), proposals_dir=ctx.store.folder / "proposals")
    report = run(batch, review_ctx)
    assert report.warnings == [], [w.message for w in report.warnings]
    assert report.plan["matches"] and report.plan["simulation"]["ok"]
    on_chain = safe_contract(chain.w3, safe).functions.getTransactionHash(*report.tx.contract_args()).call()
    assert report.hashes["safe_tx_hash"] == "0x" + bytes(on_chain).hex()
    summaries = [n.summary() for n in report.root.calls]
    assert any("RentVault.upgradeToAndCall(" in s and "RentVaultV2.initializeV2(500, 259200)" in s for s in summaries)
    assert any(s.startswith("deploy PropertyRegistryV2 at ") for s in summaries)
    assert "PASS" in render_markdown(report)


def test_bybit_style_batch_really_replaces_the_singleton_and_is_refused(chain):
    w3, safe = chain.w3, chain.manifest.safe.address
    w3.provider.make_request("anvil_setCode", [ATTACKER, "0x" + SLOT0_WRITER.hex()])
    evil_singleton = "0xbDd077f651EBe7f7b3cE16fe5F2b025BE2969516"
    data = calldata("transfer(address,uint256)", ["address", "uint256"], [evil_singleton, 0])
    nonce = safe_contract(w3, safe).functions.nonce().call()
    tx = SafeTx(to=ATTACKER, data=data, operation=1, nonce=nonce)

    review_ctx = ReviewContext(manifest=chain.manifest, build_info=chain.build_info)
    report = run({**tx.to_json(), "safe": safe, "chainId": 31337}, review_ctx)
    assert not report.ok and {"delegatecall", "untrusted-target"} <= kinds(report)

    # what the signers would have approved: after execution the Safe's slot 0 is the attacker's
    before = bytes(w3.eth.get_storage_at(safe, 0))[-20:]
    approve_and_execute(w3, safe, tx, chain.owners[:2])
    after = bytes(w3.eth.get_storage_at(safe, 0))[-20:]
    assert before != after and after == bytes.fromhex(evil_singleton[2:])
