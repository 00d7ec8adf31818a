"""The local service follows the Transaction Service's rules as its source states them -- each
test names the line of safe-global/safe-transaction-service @ 3e0199c4 (v6.10.1)
``safe_transaction_service/history/serializers.py`` (or the file given) it follows -- and runs in
both dialects (the ``client`` fixture), on Anvil with real Safe 1.4.1 bytecode, through the real
HTTP client. A rule a dialect has no request for says so."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest
from service_helpers import make_nested

from upgrader.errors import InputError
from upgrader.safe.delegate_message import delegate_message_hash
from upgrader.safe.multisend import Batch
from upgrader.safe.signatures import encode_signatures, recover_signature
from upgrader.safe.tx import SafeDomain, SafeTx, encode_typed_data, safe_tx_hash
from upgrader.safe_service import ServiceError, ServiceRejected
from upgrader.stages.sign.signer import KeySigner, signed

pytestmark = pytest.mark.chain


def _tx(chain, nonce=0, **fields):
    return SafeTx(**{"to": chain.safe, "data": b"", **fields}, nonce=nonce)


def _hash(chain, tx, safe=None):
    return "0x" + safe_tx_hash(tx, SafeDomain(chain.w3.eth.chain_id, safe or chain.safe, "1.4.1")).hex()


def _sig(signer, h):
    return signed(signer, bytes.fromhex(h[2:]))


def _post(client, chain, signer, tx, sender=None, signature="own"):
    h = _hash(chain, tx)
    return client.propose(chain.safe, tx, h, sender or signer.address, _sig(signer, h) if signature == "own" else signature)


def raw(service, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(service.url + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            text = r.read()
            return r.status, json.loads(text) if text else None
    except urllib.error.HTTPError as exc:
        with exc:
            text = exc.read()
            return exc.code, json.loads(text) if text else None


def _delegate(service, chain, owner, delegate, label="ci bot", expiry=None):
    """POST /api/v2/delegates/ as api-kit's addSafeDelegate does (expiryDate as the serializer takes it)."""
    sig = signed(owner, delegate_message_hash(delegate.address, chain.w3.eth.chain_id))
    return raw(service, "POST", "/api/v2/delegates/", {"safe": chain.safe, "delegate": delegate.address, "delegator": owner.address,
                                                       "signature": sig, "label": label, **({"expiryDate": expiry} if expiry else {})})


# -- proposals ----------------------------------------------------------------------------------


def test_a_repeated_proposal_is_accepted_and_adds_its_confirmations(chain, client, keys):
    """save: get_or_create by safeTxHash (l. 355-376), a confirmation per new owner signature (l. 401-419)."""
    tx = _tx(chain)
    first = _post(client, chain, KeySigner(keys.owners[0]), tx)
    assert [c.owner for c in first.confirmations] == [keys.owners[0].address]
    again = _post(client, chain, KeySigner(keys.owners[1]), tx)  # 201 (the client raises on anything else)
    assert {c.owner for c in again.confirmations} == {keys.owners[0].address, keys.owners[1].address}
    assert _post(client, chain, KeySigner(keys.owners[0]), tx).confirmations == again.confirmations  # nothing twice
    assert len(client.queued(chain.safe, 0)) == 1 and again.proposer == keys.owners[0].address  # the first proposer stays


def test_a_repeated_confirmation_is_accepted(chain, client, keys, service):
    """SafeMultisigConfirmationSerializer.save: get_or_create per owner (l. 163-171)."""
    h = _post(client, chain, KeySigner(keys.owners[0]), _tx(chain)).safe_tx_hash
    sig = _sig(KeySigner(keys.owners[1]), h)
    client.confirm(h, sig)
    client.confirm(h, sig)
    confirms = [r[2] for r in service.service.requests if r[0] == "POST" and ("confirmations" in r[1] or "signatures" in r[1])]
    assert confirms == [201, 201]
    assert len(client.multisig_transaction(h).confirmations) == 2


def test_a_nonce_is_refused_only_once_a_transaction_with_it_executed(chain, client, keys):
    """validate (l. 244-261): only an executed transaction with the nonce refuses it; rivals at a
    pending nonce and nonces ahead are accepted."""
    from upgrader.sim.safe_exec import approve_and_execute

    owner = KeySigner(keys.owners[0])
    rival_a, rival_b = _tx(chain, 0, value=0), _tx(chain, 0, data=b"\x00")
    _post(client, chain, owner, rival_a)
    _post(client, chain, owner, rival_b)
    _post(client, chain, owner, _tx(chain, 5))
    assert sorted(t.nonce for t in client.queued(chain.safe, 0)) == [0, 0, 5]
    receipt = approve_and_execute(chain.w3, chain.safe, rival_a, chain.owners[:2])  # executed on chain: the index sees it
    executed_in = "0x" + bytes(receipt["transactionHash"]).hex()
    with pytest.raises(ServiceRejected, match=f"Tx with nonce=0 for safe={chain.safe} already executed in tx-hash={executed_in}") as err:
        _post(client, chain, owner, _tx(chain, 0, data=b"\x01"))
    assert err.value.status == 422
    with pytest.raises(ServiceRejected, match=f"Tx with safe-tx-hash={_hash(chain, rival_a)} for safe={chain.safe} was already "
                                              f"executed in tx-hash={executed_in}"):
        _post(client, chain, owner, rival_a)
    _post(client, chain, owner, _tx(chain, 1))
    executed = client.multisig_transaction(_hash(chain, rival_a))
    assert executed.is_executed and executed.transaction_hash == executed_in


def test_the_sender_and_every_signer_must_be_an_owner_or_a_delegate(chain, client, keys):
    """validate: the sender (l. 263-274) and each signer (l. 308-312) are owners or delegates."""
    owner, outsider = KeySigner(keys.owners[0]), KeySigner(keys.outsider)
    with pytest.raises(ServiceRejected, match=f"(Sender|Signer)={outsider.address} is not an owner or delegate") as err:
        _post(client, chain, outsider, _tx(chain))
    assert err.value.status == 422
    tx = _tx(chain)
    h = _hash(chain, tx)
    both = "0x" + _sig(owner, h)[2:] + _sig(outsider, h)[2:]
    with pytest.raises(ServiceRejected, match=f"Signer={outsider.address} is not an owner or delegate"):
        client.propose(chain.safe, tx, h, owner.address, both)
    if client.dialect.name == "tx-service":  # unsigned, only the sender speaks for it (the queue's body has no sender)
        with pytest.raises(ServiceRejected, match=f"Sender={outsider.address} is not an owner or delegate"):
            client.propose(chain.safe, tx, h, outsider.address, None)
    assert client.queued(chain.safe, 0) == []


@pytest.mark.parametrize("dialect", ["tx-service"], indirect=True)  # the Queue Service's proposal body has no sender
def test_the_signature_must_be_the_senders(chain, client, keys):
    """validate (l. 318-323). The Queue Service's proposal has no sender (its signer proposes:
    safe-queue.service.ts l. 84-103), so only the Transaction Service's dialect is asked."""
    assert client.dialect.name == "tx-service"
    with pytest.raises(ServiceRejected, match=f"Signature does not match sender={keys.owners[1].address}"):
        _post(client, chain, KeySigner(keys.owners[0]), _tx(chain), sender=keys.owners[1].address)


def test_a_signer_of_an_owner_safe_cannot_propose_to_the_outer_safe(ctx, chain, client, keys):
    """Owners are the outer Safe's owners (get_safe_owners); an owner Safe's signer is neither an
    owner nor a delegate (l. 263-274, l. 308-312)."""
    owner_safe, inner = make_nested(ctx, chain, keys)
    with pytest.raises(ServiceRejected, match=f"(Sender|Signer)={inner[0].address} is not an owner or delegate"):
        _post(client, chain, KeySigner(inner[0]), _tx(chain, 1))


def test_a_delegate_proposes_with_one_signature_and_confirms_nothing(chain, client, keys, service):
    """A delegate of an owner may send (l. 266-269); its signature is no confirmation (l. 402) and
    must be the only one (l. 299-307); proposer = its delegator, proposedByDelegate = it (l. 340-353)."""
    owner, bot = KeySigner(keys.owners[0]), KeySigner(keys.outsider)
    assert _delegate(service, chain, owner, bot)[0] == 201
    posted = _post(client, chain, bot, _tx(chain))
    assert posted.confirmations == () and posted.proposed_by_delegate == bot.address and posted.proposer == owner.address
    tx = _tx(chain, 1)
    h = _hash(chain, tx)
    with pytest.raises(ServiceRejected, match="Just one signature is expected if using delegates"):
        client.propose(chain.safe, tx, h, bot.address, "0x" + _sig(bot, h)[2:] + _sig(owner, h)[2:])


def test_an_expired_delegate_cannot_propose(chain, client, keys, service):
    """SafeContractDelegateManager.get_for_safe (history/models.py l. 2159) ignores a delegate past
    its expiry date; the list still shows it with expiryDate. The Queue Service's delegate body has
    no expiry (safe-queue.service.ts l. 352-368), so it is set through the Transaction Service's path
    and the proposal goes through the dialect under test."""
    owner, bot = KeySigner(keys.owners[0]), KeySigner(keys.outsider)
    past = (datetime.now(timezone.utc) - timedelta(seconds=5)).isoformat()
    status, errors = _delegate(service, chain, owner, bot, expiry=past)
    assert (status, errors) == (400, {"expiryDate": ["`expiry_date` cannot be previous to the current timestamp"]})  # l. 528-541
    until = datetime.now(timezone.utc) + timedelta(seconds=2)
    assert _delegate(service, chain, owner, bot, expiry=until.isoformat())[0] == 201
    _post(client, chain, bot, _tx(chain))  # not expired yet
    time.sleep(max(0.0, (until - datetime.now(timezone.utc)).total_seconds()) + 0.2)
    with pytest.raises(ServiceRejected, match=f"(Sender|Signer)={bot.address} is not an owner or delegate"):
        _post(client, chain, bot, _tx(chain, 1))
    status, page = raw(service, "GET", f"/api/v2/delegates/?safe={chain.safe}")
    assert status == 200 and [d["expiryDate"] for d in page["results"]] == [until.isoformat()]  # still listed
    (listed,) = client.delegates(safe=chain.safe)
    assert listed.expired() == (client.dialect.name == "tx-service")  # the queue's delegate body carries no expiry


def test_contract_signatures_are_checked_through_the_owner_contract(ctx, chain, client, keys):
    """EIP-1271: a contract signature is valid when the owner's isValidSignature says so
    (is_valid, l. 143-146; safe-eth-py safe_signature.py @ e9d83ccf SafeSignatureContract.is_valid),
    an approved hash when approvedHashes holds it (SafeSignatureApprovedHash.is_valid)."""
    from upgrader.stages.sign.eip1271 import contract_signature, safe_message_hash, standalone_hex

    owner_safe, inner = make_nested(ctx, chain, keys, fallback_handler=True, salt=79)
    tx = _tx(chain, 1)
    h = _post(client, chain, KeySigner(keys.owners[0]), tx).safe_tx_hash
    preimage = encode_typed_data(tx, SafeDomain(chain.w3.eth.chain_id, chain.safe, "1.4.1"))
    digest = safe_message_hash(SafeDomain(chain.w3.eth.chain_id, owner_safe, "1.4.1"), preimage)
    stranger = next(k for k in keys.owners if k.address != keys.owners[0].address)  # not an owner of the owner Safe
    bad = contract_signature(owner_safe, [recover_signature(digest, _sig(KeySigner(stranger), "0x" + digest.hex()))])
    with pytest.raises(ServiceRejected, match=f"for owner={owner_safe} is not valid") as err:
        client.confirm(h, standalone_hex(bad))
    assert err.value.status == 400
    from upgrader.safe.signatures import approved_hash_signature

    with pytest.raises(ServiceRejected, match=f"for owner={owner_safe} is not valid"):  # nothing approved on chain
        client.confirm(h, approved_hash_signature(owner_safe).to_hex())
    good = contract_signature(owner_safe, [recover_signature(digest, _sig(KeySigner(inner[1]), "0x" + digest.hex()))])
    client.confirm(h, standalone_hex(good))
    found = {c.owner: c for c in client.multisig_transaction(h).confirmations}
    assert found[owner_safe].signature_type == "CONTRACT_SIGNATURE"
    assert found[owner_safe].signature == "0x" + encode_signatures([good]).hex()  # stored standalone (data at 65)


def test_proposal_errors_are_422_with_the_serializers_error_body(chain, client, keys, service):
    """views_v2.py l. 492-495: 422 with serializer.errors, a validate() error under nonFieldErrors
    (the Queue Service's server is unpublished: it answers as the Transaction Service here)."""
    tx = _tx(chain)
    if client.dialect.name == "tx-service":
        wrong = _hash(chain, _tx(chain, 9))
        status, body = raw(service, "POST", f"/api/v2/safes/{chain.safe}/multisig-transactions/",
                           {**tx.to_json(), "nonce": 0, "contractTransactionHash": wrong, "sender": keys.owners[0].address,
                            "signature": _sig(KeySigner(keys.owners[0]), _hash(chain, tx))})
        assert (status, body) == (422, {"nonFieldErrors": [f"Contract-transaction-hash={_hash(chain, tx)} does not match "
                                                           f"provided contract-tx-hash={wrong}"]})  # l. 237-242
    with pytest.raises(ServiceRejected) as err:
        _post(client, chain, KeySigner(keys.outsider), tx)
    assert err.value.status == 422 and list(err.value.body) == ["nonFieldErrors"] and len(err.value.body["nonFieldErrors"]) == 1


def test_an_unsigned_proposal_is_untrusted_and_hidden_from_the_default_list(chain, client, keys, service):
    """trusted = bool(signatures) (l. 286); the list shows trusted ones unless trusted=false
    (filters.py l. 95-118); a confirmation makes it trusted (l. 178-181). The Queue Service has
    no trusted flag (the gateway maps every queue transaction trusted: transaction.mapper.ts)."""
    owner = KeySigner(keys.owners[0])
    tx = _tx(chain)
    h = _hash(chain, tx)
    found = client.propose(chain.safe, tx, h, owner.address, None)
    assert found.confirmations == ()
    if client.dialect.name == "queue":
        assert found.proposer is None and [t.safe_tx_hash for t in client.queued(chain.safe, 0)] == [h]
        return
    assert found.trusted is False and found.proposer == owner.address
    assert client.queued(chain.safe, 0) == []
    status, page = raw(service, "GET", f"/api/v2/safes/{chain.safe}/multisig-transactions/?trusted=false")
    assert status == 200 and [r["safeTxHash"] for r in page["results"]] == [h] and page["countUniqueNonce"] == 0
    client.confirm(h, _sig(owner, h))
    assert [t.safe_tx_hash for t in client.queued(chain.safe, 0)] == [h] and client.multisig_transaction(h).trusted


def test_delegatecall_is_refused_only_with_the_setting(chain, anvil, client, keys, tmp_path):
    """validate l. 212-217 behind DISABLE_CREATION_MULTISIG_TRANSACTIONS_WITH_DELEGATE_CALL_OPERATION,
    off by default (config/settings/base.py l. 876-877)."""
    from upgrader.safe_service import HttpTransactionService
    from upgrader.safe_service.local.server import LocalServiceServer, LocalTransactionService

    owner = KeySigner(keys.owners[0])
    untrusted = _tx(chain, to=chain.manifest.proxies[0].address, operation=1)
    assert _post(client, chain, owner, untrusted).tx.operation == 1  # the default service
    strict = LocalTransactionService(anvil.url, tmp_path / "strict.json", (chain.manifest.safe.multisend_call_only,),
                                     refuse_delegatecall=True)
    with LocalServiceServer(strict) as server:
        other = HttpTransactionService(server.url, kind=client.dialect.name, chain_id=client.dialect.chain_id)
        with pytest.raises(ServiceRejected, match="Operation DELEGATE_CALL is not allowed"):
            _post(other, chain, owner, _tx(chain, 1, to=chain.manifest.proxies[0].address, operation=1))
        multisend = Batch().add_call(chain.safe, b"").add_call(chain.safe, b"").to_safe_tx(chain.manifest.safe.multisend_call_only, nonce=1)
        assert _post(other, chain, owner, multisend).tx.operation == 1


# -- confirmations ------------------------------------------------------------------------------


def test_confirmation_rules(chain, client, keys, service):
    """validate_signature: the transaction exists (404, l. 98-101), each signer is an owner -- a
    delegate is not (l. 139-142) -- and the transaction is not executed (l. 103-106)."""
    from upgrader.sim.safe_exec import approve_and_execute

    tx = _tx(chain)
    h = _post(client, chain, KeySigner(keys.owners[0]), tx).safe_tx_hash
    assert _delegate(service, chain, KeySigner(keys.owners[0]), KeySigner(keys.outsider))[0] == 201
    with pytest.raises(ServiceRejected, match=f"Signer={keys.outsider.address} is not an owner. Current owners=") as err:
        client.confirm(h, _sig(KeySigner(keys.outsider), h))
    assert err.value.status == 400
    with pytest.raises(ServiceRejected) as err:
        client.confirm("0x" + "ab" * 32, _sig(KeySigner(keys.owners[1]), "0x" + "ab" * 32))
    assert err.value.status == 404
    approve_and_execute(chain.w3, chain.safe, tx, chain.owners[:2])
    with pytest.raises(ServiceRejected, match=f"Transaction with safe-tx-hash={h} was already executed"):
        client.confirm(h, _sig(KeySigner(keys.owners[1]), h))


# -- paths, lists, delegates, Safe info ---------------------------------------------------------


@pytest.mark.parametrize("dialect", ["tx-service"], indirect=True)  # no Queue Service path carries an address
def test_a_path_address_that_is_not_checksummed_is_422(chain, service, dialect):
    """views.py l. 1126-1134 (Safe info), views_v2.py l. 442-450 / 476-484 (list, proposal),
    l. 212-220 (delegate removal). The Queue Service's paths carry no address (dialects,
    safe-queue.service.ts), so there is nothing to ask it."""
    low = chain.safe.lower()
    expected = (422, {"code": 1, "message": "Checksum address validation failed", "arguments": [low]})
    assert raw(service, "GET", f"/api/v1/safes/{low}/") == expected
    assert raw(service, "GET", f"/api/v2/safes/{low}/multisig-transactions/") == expected
    assert raw(service, "POST", f"/api/v2/safes/{low}/multisig-transactions/", {}) == expected
    assert raw(service, "DELETE", f"/api/v2/delegates/{low}/", {})[0] == 422
    assert raw(service, "GET", f"/api/v1/safes/{chain.safe}/")[0] == 200


def test_the_delegates_list_needs_a_filter(chain, client, service):
    """DelegateListFilter.filter_queryset (filters.py l. 20-25): 400 without safe, delegate,
    delegator or label; the client asks with one always."""
    path = "/api/v2/delegates/" if client.dialect.name == "tx-service" else f"/api/v1/delegates?chainId={chain.w3.eth.chain_id}"
    assert raw(service, "GET", path) == (400, ["At least one query param must be provided"])
    with pytest.raises(InputError, match="needs a Safe, a delegator or a delegate"):
        client.delegates()
    assert client.delegates(safe=chain.safe) == []


def test_a_delegate_label_is_at_most_50_characters(chain, client, keys):
    """DelegateSerializerV2.label = CharField(max_length=50) (l. 523)."""
    owner, bot = KeySigner(keys.owners[0]), KeySigner(keys.outsider)
    sig = signed(owner, delegate_message_hash(bot.address, chain.w3.eth.chain_id))
    with pytest.raises(ServiceRejected, match="label: Ensure this field has no more than 50 characters") as err:
        client.add_delegate(bot.address, owner.address, sig, "x" * 51, chain.safe)
    assert err.value.status == 400
    client.add_delegate(bot.address, owner.address, sig, "x" * 50, chain.safe)
    assert [d.label for d in client.delegates(safe=chain.safe)] == ["x" * 50]


def test_safe_info_carries_the_singleton_the_fallback_handler_and_the_guards(ctx, chain, client, keys):
    """SafeInfoResponseSerializer (l. 924-934) from Safe.retrieve_all_info; version as the service
    names a singleton it knows (``+L2``), else VERSION(). The Queue Service has no Safe info."""
    from upgrader.deploy.safe import SafeInfrastructure, create_safe, deploy_infrastructure
    from upgrader.safe.addresses import address_of
    from upgrader.sim.safe_exec import safe_contract

    if client.dialect.name == "queue":
        with pytest.raises(ServiceError, match="has no Safe info endpoint"):
            client.safe_info(chain.safe)
        return
    infra = deploy_infrastructure(chain.w3, chain.deployer)
    info = client.safe_info(chain.safe)
    assert (info.master_copy, info.version, info.l2) == (infra.singleton, "1.4.1", False)  # not the canonical address
    assert info.fallback_handler == info.guard == info.module_guard == "0x0000000000000000000000000000000000000000"
    assert info.threshold == 2 and set(info.owners) == set(chain.owners) and info.nonce == 0
    owner_safe, _ = make_nested(ctx, chain, keys, fallback_handler=True, salt=80)
    handler = "0x" + bytes(chain.w3.eth.get_storage_at(owner_safe, int.from_bytes(
        bytes.fromhex("6c9a6c4a39284e37ed1cf53d337577d14212a4870fb976a4366c693b939918d5"), "big")))[-20:].hex()
    assert client.safe_info(owner_safe).fallback_handler.lower() == handler and int(handler, 16)
    # the canonical SafeL2 1.4.1 address holding the same runtime code: the service names it 1.4.1+L2
    canonical = address_of("SafeL2", "1.4.1")
    chain.w3.provider.make_request("anvil_setCode", [canonical, "0x" + bytes(chain.w3.eth.get_code(infra.singleton)).hex()])
    l2_safe = create_safe(chain.w3, chain.deployer, SafeInfrastructure(canonical, infra.proxy_factory, infra.multisend_call_only),
                          [keys.owners[0].address], 1, salt_nonce=81)
    assert safe_contract(chain.w3, l2_safe).functions.VERSION().call() == "1.4.1"
    on_l2 = client.safe_info(l2_safe)
    assert (on_l2.master_copy, on_l2.version, on_l2.l2) == (canonical, "1.4.1", True)


# -- the service itself -------------------------------------------------------------------------


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


def test_a_delegate_signature_without_the_chain_id_is_accepted_too(chain, client, keys):
    """validate_delegator_signature tries the current chain id and none (l. 486-488), with
    DelegateSignatureHelperV2 leaving chainId out of the domain then (history/helpers.py l. 102-128)."""
    from eth_abi import encode as abi_encode

    from upgrader.keccak import keccak
    from upgrader.safe.delegate_message import DELEGATE_TYPE, totp

    owner, bot = KeySigner(keys.owners[0]), KeySigner(keys.outsider)
    domain = keccak(abi_encode(["bytes32", "bytes32", "bytes32"], [
        keccak(b"EIP712Domain(string name,string version)"), keccak(b"Safe Transaction Service"), keccak(b"1.0")]))
    struct = keccak(abi_encode(["bytes32", "address", "uint256"], [keccak(DELEGATE_TYPE.encode()), bot.address, totp()]))
    client.add_delegate(bot.address, owner.address, signed(owner, keccak(b"\x19\x01" + domain + struct)), "no chain", chain.safe)
    assert [d.label for d in client.delegates(safe=chain.safe)] == ["no chain"]
