"""The local service enforces the real service's rules; each rejection reaches the caller as a
4xx carrying the service's own message (through the same HTTP client as the real service)."""

from __future__ import annotations

import pytest

from upgrader.stages.sign.signer import KeySigner, signed
from upgrader.safe.multisend import Batch
from upgrader.safe_service import ServiceRejected
from upgrader.safe.tx import SafeDomain, SafeTx, safe_tx_hash

pytestmark = pytest.mark.chain


def _tx(chain, nonce=0, **fields):
    return SafeTx(**{"to": chain.safe, "data": b"", **fields}, nonce=nonce)


def _hash(chain, tx):
    return "0x" + safe_tx_hash(tx, SafeDomain(chain.w3.eth.chain_id, chain.safe, "1.4.1")).hex()


def _post(client, chain, signer, tx, h=None, sender=None):
    h = h or _hash(chain, tx)
    sig = signed(signer, bytes.fromhex(_hash(chain, tx)[2:]))
    return client.propose(chain.safe, tx, h, sender or signer.address, sig)


def test_accepts_a_valid_proposal(chain, client, keys):
    tx = _tx(chain)
    posted = _post(client, chain, KeySigner(keys.owners[0]), tx)
    assert posted.safe_tx_hash == _hash(chain, tx) and posted.tx == tx
    if client.dialect.name == "tx-service":  # the Queue Service serves no Safe info (read from chain)
        info = client.safe_info(chain.safe)
        assert info.threshold == 2 and set(info.owners) == set(chain.owners) and info.nonce == 0


def test_non_owner_signature(chain, client, keys):
    with pytest.raises(ServiceRejected, match=f"Signer={keys.outsider.address} is not an owner") as err:
        _post(client, chain, KeySigner(keys.outsider), _tx(chain))
    assert err.value.status == 400


def test_wrong_contract_transaction_hash(chain, client, keys):
    tx = _tx(chain)
    wrong = _hash(chain, _tx(chain, nonce=5))
    with pytest.raises(ServiceRejected, match="contractTransactionHash: Contract-transaction-hash=.* does not match") as err:
        _post(client, chain, KeySigner(keys.owners[0]), tx, h=wrong)
    assert err.value.status == 400


def test_nonce_below_onchain(chain, client, keys):
    from upgrader.sim.safe_exec import approve_and_execute

    approve_and_execute(chain.w3, chain.safe, _tx(chain, value=0), chain.owners[:2])  # on-chain nonce -> 1
    with pytest.raises(ServiceRejected, match="nonce: Nonce=0 too low .* current on-chain nonce is 1") as err:
        _post(client, chain, KeySigner(keys.owners[0]), _tx(chain, nonce=0))
    assert err.value.status == 400


def test_delegatecall_to_untrusted_contract(chain, client, keys):
    untrusted = chain.manifest.proxies[0].address
    tx = _tx(chain, to=untrusted, operation=1)
    with pytest.raises(ServiceRejected, match="DELEGATE_CALL is not allowed") as err:
        _post(client, chain, KeySigner(keys.owners[0]), tx)
    assert err.value.status == 400
    trusted = Batch().add_call(chain.safe, b"").add_call(chain.safe, b"").to_safe_tx(chain.manifest.safe.multisend_call_only, nonce=0)
    assert _post(client, chain, KeySigner(keys.owners[0]), trusted).tx.operation == 1


def test_duplicate_safe_tx_hash(chain, client, keys):
    tx = _tx(chain)
    _post(client, chain, KeySigner(keys.owners[0]), tx)
    with pytest.raises(ServiceRejected, match="already proposed") as err:
        _post(client, chain, KeySigner(keys.owners[1]), tx)
    assert err.value.status == 422
    assert len(client.multisig_transactions(chain.safe)) == 1


def test_signature_must_match_sender(chain, client, keys):
    with pytest.raises(ServiceRejected, match="does not match sender"):
        _post(client, chain, KeySigner(keys.owners[0]), _tx(chain), sender=keys.owners[1].address)


def test_confirmation_rules(chain, client, keys):
    tx = _tx(chain)
    h = _post(client, chain, KeySigner(keys.owners[0]), tx).safe_tx_hash
    with pytest.raises(ServiceRejected, match="is not an owner"):
        client.confirm(h, signed(KeySigner(keys.outsider), bytes.fromhex(h[2:])))
    with pytest.raises(ServiceRejected, match="already exists"):
        client.confirm(h, signed(KeySigner(keys.owners[0]), bytes.fromhex(h[2:])))
    client.confirm(h, signed(KeySigner(keys.owners[1]), bytes.fromhex(h[2:])))
    assert len(client.multisig_transaction(h).confirmations) == 2
    with pytest.raises(ServiceRejected) as err:
        client.confirm("0x" + "ab" * 32, signed(KeySigner(keys.owners[1]), b"\xab" * 32))
    assert err.value.status == 404


def test_state_survives_a_restart(chain, anvil, tmp_path, keys):
    from upgrader.safe_service import HttpTransactionService
    from upgrader.safe_service.local.server import LocalServiceServer, LocalTransactionService

    state = tmp_path / "state.json"
    tx = _tx(chain)
    with LocalServiceServer(LocalTransactionService(anvil.url, state)) as server:
        _post(HttpTransactionService(server.url), chain, KeySigner(keys.owners[0]), tx)
    with LocalServiceServer(LocalTransactionService(anvil.url, state)) as server:
        found = HttpTransactionService(server.url).find_proposal(_hash(chain, tx))
    assert found is not None and found.tx == tx


def test_module_entry_point_serves(chain, anvil, tmp_path):
    """`python -m upgrader.safe_service.local.server`, as `make demo` starts it."""
    import socket
    import subprocess
    import sys
    import time

    from upgrader.safe_service import HttpTransactionService, RetryPolicy

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "upgrader.safe_service.local.server", "--rpc", anvil.url,
                             "--port", str(port), "--state", str(tmp_path / "state.json")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        client = HttpTransactionService(f"http://127.0.0.1:{port}", retry=RetryPolicy(attempts=20, base_delay_s=0.1, max_delay_s=0.3))
        assert client.safe_info(chain.safe).threshold == 2
        assert client.multisig_transactions(chain.safe) == []
    finally:
        proc.terminate()
        proc.wait(timeout=10)
