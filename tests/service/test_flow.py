"""propose -> confirm by a second owner -> execute on Anvil with the real Safe 1.4.1, through
the real HTTP client and the local Transaction Service."""

from __future__ import annotations

import pytest

from service_helpers import load_json, proposals, write_passing_simulation
from upgrader.errors import InputError, UnsafeError
from upgrader.stages.execute.queued import confirm, execute
from upgrader.stages.propose import propose
from upgrader.stages.sign.signer import KeySigner
from upgrader.safe.txbuilder import validate_checksum

pytestmark = pytest.mark.chain


def test_propose_confirm_execute_records_history(ctx, simulated_plan, client, keys):
    from upgrader.stages.status import status

    first, second = KeySigner(keys.owners[0]), KeySigner(keys.owners[1])
    result = propose(ctx, simulated_plan, client, first)
    assert result.created and result.simulation == "passed"
    onchain_nonce = ctx.w3.eth.contract(address=result.safe, abi=[{"name": "nonce", "type": "function", "inputs": [],
        "outputs": [{"type": "uint256", "name": ""}], "stateMutability": "view"}]).functions.nonce().call()
    assert result.nonce == onchain_nonce

    queued = client.multisig_transaction(result.safe_tx_hash)
    assert queued is not None and [c.owner for c in queued.confirmations] == [first.address]

    batch = load_json(result.proposal_path)
    assert validate_checksum(batch) == {"present": True, "valid": True}
    assert batch["chainId"] == str(ctx.chain_id) and batch["meta"]["createdFromSafeAddress"] == result.safe
    assert [t["to"] for t in batch["transactions"]] == [c["to"] for c in simulated_plan["calls"]]
    upgrades = [t for t in batch["transactions"] if "contractMethod" in t]
    assert upgrades and all(t["contractMethod"]["name"] == "upgradeToAndCall" for t in upgrades)
    assert all(isinstance(t["value"], str) for t in batch["transactions"])
    assert result.review_path.read_text().startswith("# ")

    with pytest.raises(InputError, match="1 of 2 owner confirmations"):
        execute(ctx, client, result.safe_tx_hash)

    confirmed = confirm(ctx, client, result.safe_tx_hash, second)
    assert confirmed.added and confirmed.confirmations == 2 and confirmed.threshold == 2
    assert not confirm(ctx, client, result.safe_tx_hash, second).added  # idempotent

    done = execute(ctx, client, result.safe_tx_hash)
    for u in simulated_plan["upgrades"]:
        assert done.proxies[u["proxy"]] == u["to"]["implementation"]

    manifest = ctx.manifest()
    for u in simulated_plan["upgrades"]:
        record = manifest.proxy(u["proxy"])
        assert record.implementation.address == u["to"]["implementation"]
        assert record.implementation.contract == u["to"]["contract"]
        (entry,) = record.history
        assert (entry.plan_hash, entry.safe_tx_hash, entry.tx, entry.block) == (
            simulated_plan["plan_hash"], result.safe_tx_hash, done.tx, done.block)
    assert {p.state for p in status(ctx).proxies} == {"in_sync"}
    assert client.multisig_transaction(result.safe_tx_hash).is_executed

    with pytest.raises(InputError, match="already used"):
        execute(ctx, client, result.safe_tx_hash)


def test_repropose_is_a_noop(ctx, simulated_plan, client, service, keys):
    signer = KeySigner(keys.owners[0])
    first = propose(ctx, simulated_plan, client, signer)
    posts = [r for r in service.service.requests if r[0] == "POST"]
    again = propose(ctx, simulated_plan, client, signer)
    assert not again.created
    assert (again.safe_tx_hash, again.nonce) == (first.safe_tx_hash, first.nonce)
    assert [r for r in service.service.requests if r[0] == "POST"] == posts
    assert len(client.multisig_transactions(first.safe, executed=False)) == 1
    # another owner re-running finds the same proposal too
    assert propose(ctx, simulated_plan, client, KeySigner(keys.owners[2])).safe_tx_hash == first.safe_tx_hash


def test_next_nonce_after_highest_queued(ctx, simulated_plan, client, keys):
    from upgrader.stages.batch import plan_safe_tx
    from upgrader.safe.multisend import Batch
    from upgrader.stages.propose import domain_for
    from upgrader.stages.sign.signer import signed
    from upgrader.safe.tx import safe_tx_hash

    signer = KeySigner(keys.owners[0])
    safe = simulated_plan["safe"]["address"]
    other = Batch().add_call(safe, b"").to_safe_tx(simulated_plan["safe"]["multisend_call_only"], nonce=0)
    h = "0x" + safe_tx_hash(other, domain_for(ctx, simulated_plan)).hex()
    client.propose(safe, other, h, signer.address, signed(signer, bytes.fromhex(h[2:])))
    assert client.next_nonce(safe, 0) == 1
    result = propose(ctx, simulated_plan, client, signer)
    assert result.nonce == 1 and plan_safe_tx(simulated_plan, 1).nonce == 1


def test_refuses_without_simulation(ctx, plan, client, keys):
    with pytest.raises(InputError, match="no simulation"):
        propose(ctx, plan, client, KeySigner(keys.owners[0]))
    assert proposals(ctx) == []
    write_passing_simulation(ctx, plan, ok=False)
    with pytest.raises(UnsafeError, match="failed"):
        propose(ctx, plan, client, KeySigner(keys.owners[0]))
    with pytest.raises(UnsafeError, match=r"red warning\(s\) \(simulation-failed\).*--accept-red"):  # the review is red: not posted
        propose(ctx, plan, client, KeySigner(keys.owners[0]), skip_simulation=True)
    assert proposals(ctx) == []
    result = propose(ctx, plan, client, KeySigner(keys.owners[0]), skip_simulation=True, accept_red="to be rejected")
    assert result.simulation == "failed" and result.simulation_failed == ("safe-execution",) and result.review_ok is False
    assert "SIMULATION FAILED" in result.review_path.read_text()


def test_refuses_stale_plan(ctx, simulated_plan, client, keys):
    ctx.store.update(lambda m: m.model_copy(update={"extras": {**m.extras, "note": "changed"}}))
    with pytest.raises(InputError, match="stale"):
        propose(ctx, simulated_plan, client, KeySigner(keys.owners[0]))
    assert proposals(ctx) == []


def test_non_owner_proposal_leaves_no_file(ctx, simulated_plan, client, service, keys):
    """Neither an owner nor a delegate: refused before anything is posted (the service would
    refuse the sender, safe-transaction-service history/serializers.py l. 263-274)."""
    with pytest.raises(InputError, match="is neither an owner nor a delegate of Safe"):
        propose(ctx, simulated_plan, client, KeySigner(keys.outsider))
    assert [r for r in service.service.requests if r[0] == "POST"] == []
    assert proposals(ctx) == []
    assert client.multisig_transactions(simulated_plan["safe"]["address"], executed=False) == []


def test_review_flags_another_queued_tx_at_the_same_nonce(ctx, simulated_plan, client, keys):
    from upgrader.stages.sign.signer import signed
    from upgrader.safe.tx import SafeTx, SafeDomain, safe_tx_hash

    signer = KeySigner(keys.owners[0])
    safe = simulated_plan["safe"]["address"]
    rival = SafeTx(to=safe, data=b"", nonce=0)
    h = "0x" + safe_tx_hash(rival, SafeDomain(ctx.chain_id, safe, "1.4.1")).hex()
    client.propose(safe, rival, h, signer.address, signed(signer, bytes.fromhex(h[2:])))
    with pytest.raises(UnsafeError, match="nonce-conflict"):
        propose(ctx, simulated_plan, client, signer, nonce=0)
    result = propose(ctx, simulated_plan, client, signer, nonce=0, accept_red="the rival is rejected next")
    assert result.nonce == 0 and result.review_ok is False
    assert h in result.review_path.read_text()
