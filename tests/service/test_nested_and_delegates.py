"""Real-world signers on Anvil with real Safe 1.4.1 bytecode, through the real client and the
local service, in both dialects: a delegate proposes and owners confirm; a 2-of-3 Safe whose
third owner is a 1-of-2 Safe is upgraded with that owner Safe's approval, either as an approved
hash (its own SafeTx for approveHash, executed through its execTransaction) or, when it has
Safe's CompatibilityFallbackHandler, as an EIP-1271 contract signature checked through its
isValidSignature -- the two ways the Transaction Service accepts an owner Safe's confirmation."""

from __future__ import annotations

import pytest
from service_helpers import dev_accounts as _dev_accounts
from service_helpers import make_nested, write_passing_simulation

from upgrader.errors import InputError
from upgrader.stages.execute.queued import confirm, execute
from upgrader.stages.propose import propose
from upgrader.stages.sign.signer import KeySigner

pytestmark = pytest.mark.chain

SENTINEL = "0x0000000000000000000000000000000000000001"


def _plan(ctx):
    from upgrader.stages.plan import make_plan
    from upgrader.stages.planfile import write_plan

    plan = make_plan(ctx)
    write_plan(plan, ctx.plans_dir)
    write_passing_simulation(ctx, plan)
    return plan


def test_a_delegate_proposes_and_owners_confirm(ctx, client, keys, service):
    from upgrader.stages.sign import delegates

    owner, second = KeySigner(keys.owners[0]), KeySigner(keys.owners[1])
    bot = KeySigner(keys.outsider)
    plan = _plan(ctx)
    with pytest.raises(InputError, match="is neither an owner nor a delegate of Safe"):  # not a delegate yet
        propose(ctx, plan, client, bot)

    added = delegates.add(ctx, client, owner, bot.address, "ci bot")
    assert added.action == "added" and added.delegator == owner.address
    assert [(d.delegate, d.delegator) for d in delegates.listed(ctx, client)] == [(bot.address, owner.address)]
    assert delegates.add(ctx, client, owner, bot.address, "ci bot").action == "already a delegate"
    with pytest.raises(InputError, match="not an owner of Safe"):
        delegates.add(ctx, client, bot, keys.owners[2].address, "x")

    result = propose(ctx, plan, client, bot)
    assert result.created and result.proposed_by == f"proposed by delegate {bot.address} of owner {owner.address}"
    mtx = client.multisig_transaction(result.safe_tx_hash)
    assert mtx.confirmations == () and mtx.proposed_by_delegate == bot.address and mtx.proposer == owner.address
    assert f"proposed by delegate {bot.address} of owner {owner.address}" in result.review_path.read_text()

    assert confirm(ctx, client, result.safe_tx_hash, owner).confirmations == 1
    assert confirm(ctx, client, result.safe_tx_hash, second).confirmations == 2
    done = execute(ctx, client, result.safe_tx_hash)
    assert all(done.proxies[u["proxy"]] == u["to"]["implementation"] for u in plan["upgrades"])

    removed = delegates.remove(ctx, client, owner, bot.address)
    assert removed.action == "removed" and delegates.listed(ctx, client) == []
    with pytest.raises(InputError, match="is not a delegate"):
        delegates.remove(ctx, client, owner, bot.address)


def test_delegate_signature_is_checked_by_the_service(ctx, client, keys):
    from upgrader.stages.sign.signer import signed
    from upgrader.safe_service import ServiceRejected
    from upgrader.safe.delegate_message import delegate_message_hash

    owner, bot = KeySigner(keys.owners[0]), KeySigner(keys.outsider)
    safe = ctx.manifest().safe.address
    wrong_chain = signed(owner, delegate_message_hash(bot.address, ctx.chain_id + 1))
    with pytest.raises(ServiceRejected, match="Signature does not match provided delegator") as err:
        client.add_delegate(bot.address, owner.address, wrong_chain, "x", safe)
    assert err.value.status == 400  # DelegateListView.post: is_valid(raise_exception=True)
    by_outsider = signed(bot, delegate_message_hash(bot.address, ctx.chain_id))
    with pytest.raises(ServiceRejected):
        client.add_delegate(bot.address, owner.address, by_outsider, "x", safe)
    assert client.delegates(safe=safe) == []


def test_a_repeated_delegate_post_updates_its_label(ctx, client, keys):
    """DelegateSerializerV2.save: update_or_create by (safe, delegate, delegator)
    (safe-transaction-service history/serializers.py l. 564-572), in both dialects."""
    from upgrader.stages.sign.signer import signed
    from upgrader.safe.delegate_message import delegate_message_hash

    owner, bot = KeySigner(keys.owners[0]), KeySigner(keys.outsider)
    safe = ctx.manifest().safe.address
    sig = signed(owner, delegate_message_hash(bot.address, ctx.chain_id))
    client.add_delegate(bot.address, owner.address, sig, "first", safe)
    client.add_delegate(bot.address, owner.address, sig, "second", safe)
    assert [d.label for d in client.delegates(safe=safe)] == ["second"]


def test_nested_safe_owner_approves_and_the_upgrade_executes(ctx, chain, client, keys):
    from upgrader.stages.sign.owners import inner_approval
    from upgrader.stages.status import status

    owner_safe, inner_keys = make_nested(ctx, chain, keys)
    plan = _plan(ctx)
    # a signer of the owner Safe is neither an owner nor a delegate of the outer Safe: the
    # Transaction Service refuses it as sender (serializers.py l. 263-274), so propose does too
    with pytest.raises(InputError, match=f"signs for owner Safe {owner_safe}"):
        propose(ctx, plan, client, KeySigner(inner_keys[0]))
    result = propose(ctx, plan, client, KeySigner(keys.owners[0]))
    assert [c.owner for c in client.multisig_transaction(result.safe_tx_hash).confirmations] == [keys.owners[0].address]
    expected_inner = inner_approval(ctx.w3, client, result.safe, result.safe_tx_hash, owner_safe)
    review = result.review_path.read_text()
    assert f"Owner Safe `{owner_safe}`" in review and expected_inner.safe_tx_hash in review
    assert expected_inner.hashes["domain_hash"] in review and expected_inner.hashes["message_hash"] in review

    assert not confirm(ctx, client, result.safe_tx_hash, KeySigner(keys.owners[0])).added  # its proposal confirmed it
    with pytest.raises(InputError, match="1 of 2 owner confirmations"):
        execute(ctx, client, result.safe_tx_hash)
    with pytest.raises(InputError, match="neither an owner"):
        confirm(ctx, client, result.safe_tx_hash, KeySigner(_dev_accounts(10)[9]))

    nested = confirm(ctx, client, result.safe_tx_hash, KeySigner(inner_keys[1]))
    assert nested.owner == owner_safe and nested.added and nested.confirmations == 2
    assert nested.nested["route"] == "approved-hash"
    assert nested.nested["approved"] and nested.nested["inner_executed_tx"]
    assert nested.nested["inner"]["safe_tx_hash"] == expected_inner.safe_tx_hash  # what the review showed was signed
    inner_in_service = client.multisig_transaction(expected_inner.safe_tx_hash)
    assert inner_in_service.safe == owner_safe and inner_in_service.is_executed
    outer = client.multisig_transaction(result.safe_tx_hash)
    assert {c.signature_type for c in outer.confirmations} == {"EOA", "APPROVED_HASH"}
    again = confirm(ctx, client, result.safe_tx_hash, KeySigner(inner_keys[0]))  # the owner Safe already approved
    assert not again.added and again.confirmations == 2

    done = execute(ctx, client, result.safe_tx_hash)
    assert all(done.proxies[u["proxy"]] == u["to"]["implementation"] for u in plan["upgrades"])
    assert {p.state for p in status(ctx).proxies} == {"in_sync"}


def test_an_owner_safe_with_a_fallback_handler_confirms_by_eip1271(ctx, chain, client, keys, service):
    """The owner Safe's contract signature (v = 0) of the outer safeTxHash, checked by the
    service through the owner Safe's isValidSignature (safe-eth-py safe_signature.py @ e9d83ccf
    SafeSignatureContract.is_valid), then by the outer Safe's checkSignatures at execution."""
    from upgrader.safe.tx import SafeDomain
    from upgrader.stages.sign.eip1271 import safe_message_hash
    from upgrader.sim.safe_exec import safe_contract

    owner_safe, inner_keys = make_nested(ctx, chain, keys, fallback_handler=True, salt=78)
    inner_nonce = int(safe_contract(ctx.w3, owner_safe).functions.nonce().call())
    plan = _plan(ctx)
    result = propose(ctx, plan, client, KeySigner(keys.owners[0]))
    nested = confirm(ctx, client, result.safe_tx_hash, KeySigner(inner_keys[1]))
    assert nested.owner == owner_safe and nested.added and nested.confirmations == 2
    assert nested.nested["route"] == "contract-signature" and nested.nested["inner"] is None
    # what the signer signed is the SafeMessage hash safe-eth-py computes for that owner Safe over
    # the outer transaction's preimage (an outer Safe 1.4.1 asks isValidSignature(bytes,bytes))
    from safe_eth.eth import EthereumClient
    from safe_eth.safe import Safe

    from upgrader.safe.tx import encode_typed_data

    mtx = client.multisig_transaction(result.safe_tx_hash)
    preimage = encode_typed_data(mtx.tx, SafeDomain(ctx.chain_id, result.safe, "1.4.1"))
    theirs = Safe(owner_safe, EthereumClient(service.service.rpc_url)).get_message_hash(preimage)
    assert nested.nested["message_hash"] == "0x" + bytes(theirs).hex()
    assert nested.nested["message_hash"] == "0x" + safe_message_hash(SafeDomain(ctx.chain_id, owner_safe, "1.4.1"), preimage).hex()
    assert nested.nested["message_hash"] in result.review_path.read_text()  # the review showed what is signed
    outer = client.multisig_transaction(result.safe_tx_hash)
    assert {c.owner: c.signature_type for c in outer.confirmations} == {keys.owners[0].address: "EOA", owner_safe: "CONTRACT_SIGNATURE"}
    assert int(safe_contract(ctx.w3, owner_safe).functions.nonce().call()) == inner_nonce  # no inner transaction
    assert not confirm(ctx, client, result.safe_tx_hash, KeySigner(inner_keys[0])).added  # already confirmed

    done = execute(ctx, client, result.safe_tx_hash)
    assert all(done.proxies[u["proxy"]] == u["to"]["implementation"] for u in plan["upgrades"])


def test_a_delegate_removal_whose_answer_was_lost_is_removed_not_a_404(ctx, client, keys, service):
    """The service removes the delegate but its answer is lost; the client's retry of the
    DELETE is answered 404. That is the wanted end state, not an error (seen once under load)."""
    from upgrader.stages.sign import delegates

    owner, bot = KeySigner(keys.owners[0]), KeySigner(keys.outsider)
    delegates.add(ctx, client, owner, bot.address, "ci bot")
    service.service.inject(status=503, count=1, method="DELETE", after=True)
    removed = delegates.remove(ctx, client, owner, bot.address)
    assert removed.action == "removed" and delegates.listed(ctx, client) == []
    deletes = [r[2] for r in service.service.requests if r[0] == "DELETE"]
    assert deletes[:2] == [503, 404], deletes  # the lost answer, then the retry finding it gone
