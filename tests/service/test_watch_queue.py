"""`watch` reads the Safe service's queue: a queued transaction that touches our proxies and is
no plan's batch is reported once with its review verdict; our plan's proposal is not foreign;
proposals waiting for signatures too long are reported once."""

from __future__ import annotations

import pytest

from upgrader.stages.batch import plan_safe_tx
from upgrader.stages.sign.signer import KeySigner, signed
from upgrader.stages.watch import Watcher, WatchOptions
from upgrader.safe.tx import SafeDomain, SafeTx, safe_tx_hash

pytestmark = pytest.mark.chain


def _propose(client, chain, signer, tx):
    h = "0x" + safe_tx_hash(tx, SafeDomain(chain.w3.eth.chain_id, chain.safe, "1.4.1")).hex()
    client.propose(chain.safe, tx, h, signer.address, signed(signer, bytes.fromhex(h[2:])))
    return h


def test_a_foreign_queued_upgrade_is_reported_once_with_its_verdict(ctx, chain, client, keys, plan):
    signer = KeySigner(keys.owners[0])
    ours = _propose(client, chain, signer, plan_safe_tx(plan, 0))
    vault = chain.contract("RentVault")
    evil = bytes.fromhex(vault.encode_abi("upgradeToAndCall", ["0x96221423681A6d52E184D440a8eFCEbB105C7242", b""])[2:])
    foreign = _propose(client, chain, signer, SafeTx(to=vault.address, data=evil, nonce=1))
    harmless = _propose(client, chain, signer, SafeTx(to=keys.outsider.address, data=b"", value=0, nonce=2))

    watcher = Watcher(ctx, WatchOptions(max_head_age_s=10**6, max_pending_s=0), client)
    found = watcher.scan()
    by_kind = {(f.kind, f.details["safe_tx_hash"]) for f in found if "safe_tx_hash" in f.details}
    assert ("foreign-queued-transaction", foreign) in by_kind
    assert ("foreign-queued-transaction", ours) not in by_kind and ("foreign-queued-transaction", harmless) not in by_kind
    assert {h for k, h in by_kind if k == "proposal-waiting"} == {ours, foreign, harmless}
    report = next(f for f in found if f.kind == "foreign-queued-transaction")
    assert not report.details["review_ok"] and report.details["red"]
    assert Watcher(ctx, WatchOptions(max_head_age_s=10**6, max_pending_s=0), client).scan() == []  # a restart repeats nothing
