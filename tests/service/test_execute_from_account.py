"""`execute` from an account whose key is here (not unlocked on the node), through the fault
proxy so every eth_sendRawTransaction is counted: one signed payload per account nonce, the
record written before the wait, re-sending the same bytes when the node forgot them, --replace
as the only way to a second payload, and a re-run after the Safe executed that records it."""

from __future__ import annotations

import json
from dataclasses import replace as dc_replace
from typing import Any

import pytest
from eth_account import Account

from fault_proxy import FaultProxy
from upgrader.chain.rpc import connect
from upgrader.errors import InputError, UnsafeError
from upgrader.stages.context import NetworkContext
from upgrader.stages.execute.queued import confirm
from upgrader.stages.execute.from_account import load_record, record_path, run
from upgrader.stages.propose import propose
from upgrader.stages.sign.signer import KeySigner

pytestmark = pytest.mark.chain


@pytest.fixture
def proxied(ctx: NetworkContext, anvil: Any) -> Any:
    """The same context with its RPC through a fault proxy (to count broadcasts)."""
    with FaultProxy(anvil.url) as proxy:
        yield NetworkContext(config=ctx.config, network=ctx.network, w3=connect(proxy.url(), chain_id=31337),
                             build=ctx.build_info), proxy


@pytest.fixture
def sender(chain: Any) -> KeySigner:
    """A fresh key, funded, that the node does not know (as on a hosted RPC)."""
    account = Account.create()
    chain.w3.provider.make_request("anvil_setBalance", [account.address, hex(10**19)])
    return KeySigner(account)


@pytest.fixture
def confirmed(ctx, simulated_plan, client, keys) -> str:
    result = propose(ctx, simulated_plan, client, KeySigner(keys.owners[0]))
    confirm(ctx, client, result.safe_tx_hash, KeySigner(keys.owners[1]))
    return result.safe_tx_hash


def automine(chain: Any, on: bool) -> None:
    chain.w3.provider.make_request("evm_setAutomine", [on])


def raw_sends(proxy: FaultProxy) -> int:
    return proxy.methods().count("eth_sendRawTransaction")


def test_execute_from_a_key_broadcasts_once_and_records(proxied, confirmed, client, sender, simulated_plan):
    from upgrader.stages.status import status

    ctx, proxy = proxied
    result = run(ctx, client, confirmed, sender)
    record = load_record(ctx, confirmed)
    assert record["state"] == "included" and record["sender"] == sender.address
    assert len(record["attempts"]) == 1 and record["attempts"][0]["tx"] == result.tx
    assert raw_sends(proxy) == 1
    tx = ctx.w3.eth.get_transaction(result.tx)
    assert tx["from"] == sender.address and tx["type"] == 2 and tx["nonce"] == record["nonce"] == 0
    assert {p.state for p in status(ctx).proxies} == {"in_sync"}
    with pytest.raises(InputError, match=f"already executed in tx {result.tx}"):
        run(ctx, client, confirmed, sender)  # re-run: recorded already, says so, nothing sent
    assert raw_sends(proxy) == 1


def test_killed_after_broadcast_then_forgotten_resends_the_same_bytes(proxied, confirmed, client, sender, chain):
    ctx, proxy = proxied
    automine(chain, False)
    try:
        with pytest.raises(InputError, match="not included after"):
            run(ctx, client, confirmed, sender, wait_s=0.5)
        record = json.loads(record_path(ctx, confirmed).read_text())
        assert record["state"] == "broadcast" and raw_sends(proxy) == 1
        sent = record["attempts"][0]["tx"]
        chain.w3.provider.make_request("anvil_dropTransaction", [sent])  # the node forgets it
    finally:
        automine(chain, True)
    result = run(ctx, client, confirmed, sender)
    assert result.tx == sent  # the very same transaction, not a new one
    assert raw_sends(proxy) == 2 and len(load_record(ctx, confirmed)["attempts"]) == 1


def test_executed_while_nobody_watched_is_found_and_recorded(proxied, confirmed, client, sender, chain):
    ctx, proxy = proxied
    automine(chain, False)
    try:
        with pytest.raises(InputError, match="not included after"):
            run(ctx, client, confirmed, sender, wait_s=0.5)
    finally:
        automine(chain, True)
    chain.w3.provider.make_request("evm_mine", [])  # included after the process "died"
    sent = load_record(ctx, confirmed)["attempts"][0]["tx"]
    result = run(ctx, client, confirmed)  # no --sender needed to resume
    assert result.tx == sent and result.recovered and raw_sends(proxy) == 1
    history = [e for p in ctx.manifest().proxies for e in p.history]
    assert history and all(e.tx == sent and e.safe_tx_hash == confirmed for e in history)


def test_replace_is_the_only_second_payload_at_the_same_nonce(proxied, confirmed, client, sender, chain):
    ctx, proxy = proxied
    automine(chain, False)
    try:
        with pytest.raises(InputError, match="--replace"):
            run(ctx, client, confirmed, sender, wait_s=0.5)
        with pytest.raises(InputError, match="not included after"):
            run(ctx, client, confirmed, sender, wait_s=0.5)  # re-run without --replace: same bytes
        assert len(load_record(ctx, confirmed)["attempts"]) == 1
        with pytest.raises(InputError, match="not included after"):
            run(ctx, client, confirmed, sender, replace=True, wait_s=0.5)
    finally:
        automine(chain, True)
    chain.w3.provider.make_request("evm_mine", [])
    record = load_record(ctx, confirmed)
    first, second = record["attempts"]
    assert second["max_fee_per_gas"] > first["max_fee_per_gas"]
    assert second["max_priority_fee_per_gas"] > first["max_priority_fee_per_gas"]
    result = run(ctx, client, confirmed)
    assert result.tx == second["tx"]
    assert ctx.w3.eth.get_transaction(second["tx"])["nonce"] == record["nonce"]
    assert ctx.w3.eth.get_transaction_count(sender.address) == record["nonce"] + 1


def test_replace_follows_the_review_as_the_first_send_does(proxied, confirmed, client, sender, chain, simulated_plan):
    """A replacement is a new signed transaction: a review turned red since the first send (here
    its simulation report is gone: not-simulated) refuses it unless --accept-red."""
    from upgrader.stages.simulate import simulation_path

    ctx, proxy = proxied
    automine(chain, False)
    try:
        with pytest.raises(InputError, match="not included after"):
            run(ctx, client, confirmed, sender, wait_s=0.5)
        simulation_path(ctx.plans_dir, simulated_plan["plan_hash"]).unlink()
        with pytest.raises(UnsafeError, match="not-simulated"):
            run(ctx, client, confirmed, sender, replace=True, wait_s=0.5)
        assert len(load_record(ctx, confirmed)["attempts"]) == 1 and raw_sends(proxy) == 1  # nothing signed or sent
        with pytest.raises(InputError, match="not included after"):
            run(ctx, client, confirmed, sender, wait_s=0.5)  # the same bytes again: signed after the first review
        with pytest.raises(InputError, match="not included after"):
            run(ctx, client, confirmed, sender, replace=True, wait_s=0.5, accept_red="the fork run is redone off-line")
        assert len(load_record(ctx, confirmed)["attempts"]) == 2
    finally:
        automine(chain, True)
    chain.w3.provider.make_request("evm_mine", [])  # the replacement included; the chain is reverted after the test
    assert run(ctx, client, confirmed).tx == load_record(ctx, confirmed)["attempts"][1]["tx"]
