"""The Transaction Service's rules for proposals, confirmations and delegates, as its
serializers state them: safe-global/safe-transaction-service
``safe_transaction_service/history/serializers.py`` @ 3e0199c490ae571f395284cbc7a6e0bac881a15e
(v6.10.1; "l. N" below are lines of that file unless another is named). Each check raises
``Invalid`` with the service's own message; the routes answer it with the status and error
body of the view that runs the serializer. Both dialects go through these same rules (the
Queue Service's server is not published, see ``dialects``).

Rules the service does NOT have are not here: a nonce below the Safe's on-chain nonce is fine
until an executed transaction with that nonce is indexed; a repeated proposal or confirmation
is not an error; signers of an owner Safe are not proposers of the outer Safe; DELEGATECALL is
refused only with the off-by-default setting (``refuse_delegatecall``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from eth_abi import encode as abi_encode

from upgrader.errors import InputError
from upgrader.keccak import keccak
from upgrader.safe._values import parse_address
from upgrader.safe.delegate_message import DELEGATE_TYPE, DOMAIN_NAME, DOMAIN_VERSION, delegate_message_hash, valid_totps
from upgrader.safe.signatures import SafeSignature, split_signatures
from upgrader.safe.tx import DELEGATECALL, SafeDomain, SafeTx, encode_typed_data, safe_tx_hash
from upgrader.safe_service.local.onchain import SafeState, read_safe, signature_is_valid

if TYPE_CHECKING:
    from upgrader.safe_service.local.service import LocalTransactionService

__all__ = ["Invalid", "Proposal", "add_delegate", "confirm", "delete_delegate", "now_iso", "propose"]

SIGNATURE_TYPES = {"eip712": "EOA", "eth_sign": "ETH_SIGN", "approved_hash": "APPROVED_HASH", "contract": "CONTRACT_SIGNATURE"}


class Invalid(Exception):
    """A serializer ValidationError: ``field`` None is a non-field error."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field

    def body(self) -> dict[str, list[str]]:
        return {self.field or "nonFieldErrors": [self.message]}


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _address(value: Any, field: str) -> str:
    try:
        return parse_address(value, field)
    except InputError:
        raise Invalid("Invalid Ethereum address", field) from None


def _signatures(h: bytes, blob: Any, field: str = "signature") -> list[SafeSignature]:
    if blob in (None, "", "0x"):
        return []
    try:
        return split_signatures(h, blob)
    except InputError as exc:
        raise Invalid(str(exc), field) from None


def _hex(sig: SafeSignature) -> str:
    return "0x" + sig.to_bytes().hex()


def exported(sig: SafeSignature) -> str:
    """SafeSignature.export_signature: a contract signature standalone (its data at offset 65)."""
    if sig.kind != "contract":
        return _hex(sig)
    static = sig.r.to_bytes(32, "big") + (65).to_bytes(32, "big") + b"\x00"
    return "0x" + (static + len(sig.contract_data).to_bytes(32, "big") + sig.contract_data).hex()


def active_delegates(svc: "LocalTransactionService", safe: str, owners: list[str]) -> list[dict[str, Any]]:
    """history/models.py l. 2147-2160 SafeContractDelegateManager.get_for_safe: for this Safe or
    for every Safe (safe null), delegated by a current owner, not expired."""
    now = datetime.now(timezone.utc)
    return [d for d in svc.delegates if d["delegator"] in owners and d["safe"] in (None, safe)
            and (not d.get("expiryDate") or datetime.fromisoformat(d["expiryDate"].replace("Z", "+00:00")) > now)]


@dataclass(frozen=True)
class Proposal:
    safe: str
    tx: SafeTx
    sender: str | None  # the Queue Service's body has none: its signer proposes
    given_hash: str | None  # contractTransactionHash (the Queue Service's body has none)
    signature: Any
    origin: Any


def propose(svc: "LocalTransactionService", p: Proposal) -> tuple[dict[str, Any], bool]:
    """SafeMultisigTransactionSerializer.validate (l. 207-325) and .save (l. 327-420): the stored
    transaction and whether it was created (a repeated proposal is accepted: get_or_create)."""
    if p.tx.operation == DELEGATECALL and svc.refuse_delegatecall and p.tx.to.lower() not in svc.trusted:
        raise Invalid("Operation DELEGATE_CALL is not allowed")  # l. 212-217, off by default (settings/base.py l. 876)
    state = read_safe(svc.w3, p.safe)
    domain = SafeDomain(state.chain_id, state.address, state.hash_version)
    h_bytes = safe_tx_hash(p.tx, domain)
    h = "0x" + h_bytes.hex()
    if p.given_hash is not None and p.given_hash.lower() != h:  # l. 237-242
        raise Invalid(f"Contract-transaction-hash={h} does not match provided contract-tx-hash={p.given_hash.lower()}")
    executed = svc.executed(state.address).get(p.tx.nonce)  # l. 244-261: only an executed tx with this nonce
    if executed is not None:
        if executed.safe_tx_hash == h:
            raise Invalid(f"Tx with safe-tx-hash={h} for safe={state.address} was already executed in "
                          f"tx-hash={executed.transaction_hash}")
        raise Invalid(f"Tx with nonce={p.tx.nonce} for safe={state.address} already executed in "
                      f"tx-hash={executed.transaction_hash}")
    owners = state.owners
    delegates = {d["delegate"] for d in active_delegates(svc, state.address, owners)}
    allowed = set(owners) | delegates
    if p.sender is not None and p.sender not in allowed:  # l. 263-274
        raise Invalid(f"Sender={p.sender} is not an owner or delegate. Current owners={owners}. Delegates={delegates or set()}")
    sigs = _signatures(h_bytes, p.signature)
    preimage = encode_typed_data(p.tx, domain)
    signers: list[str] = []
    for sig in sigs:  # l. 287-316
        if not signature_is_valid(svc.w3, sig, h_bytes, preimage, state.address):
            raise Invalid(f"Signature={_hex(sig)} for owner={sig.signer} is not valid")
        if sig.signer in delegates and sig.signer not in owners and len(sigs) > 1:
            raise Invalid("Just one signature is expected if using delegates")
        if sig.signer not in allowed:
            raise Invalid(f"Signer={sig.signer} is not an owner or delegate. Current owners={owners}. "
                          f"Delegates={delegates or set()}")
        if sig.signer in signers:
            raise Invalid(f"Signature for owner={sig.signer} is duplicated")
        signers.append(sig.signer)
    sender = p.sender if p.sender is not None else (signers[0] if signers else None)
    if signers and sender not in signers:  # l. 318-323
        raise Invalid(f"Signature does not match sender={sender}. Calculated owners={signers}")
    return _save_proposal(svc, p, state, h, sigs, sender)


def _origin(value: Any) -> Any:
    """validate_origin (l. 195-205): JSON when it parses, else the text; nothing is ``{}``."""
    if not value:
        return {}
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _save_proposal(svc: "LocalTransactionService", p: Proposal, state: SafeState, h: str, sigs: list[SafeSignature],
                   sender: str | None) -> tuple[dict[str, Any], bool]:
    trusted = bool(sigs)  # l. 286: signed means trusted "until signatures are mandatory"
    by_delegate = None
    if sender is None or sender in state.owners:  # l. 340-353
        proposer = sender
    else:
        proposer = next(d["delegator"] for d in active_delegates(svc, state.address, state.owners) if d["delegate"] == sender)
        by_delegate = sender
    now = now_iso()
    record = svc.txs.get(h)
    created = record is None
    if record is None:  # get_or_create by safeTxHash (l. 355-376)
        record = svc.txs[h] = {
            "safe": state.address, **p.tx.to_json(), "data": "0x" + p.tx.data.hex() if p.tx.data else None,
            "nonce": str(p.tx.nonce), "safeTxHash": h, "proposer": proposer, "proposedByDelegate": by_delegate,
            "origin": _origin(p.origin), "trusted": trusted, "submissionDate": now, "modified": now,
            "executionDate": None, "blockNumber": None, "transactionHash": None, "executor": None,
            "isExecuted": False, "isSuccessful": None, "confirmations": [],
        }
    elif trusted and not record.get("trusted", True):  # l. 378-381
        record.update(origin=_origin(p.origin), trusted=True, modified=now)
    have = {c["owner"] for c in record["confirmations"]}
    for sig in sigs:  # l. 401-419: a confirmation per owner signature, get_or_create
        if sig.signer in state.owners and sig.signer not in have:
            record["confirmations"].append(_confirmation(sig, now))
            have.add(sig.signer)
    return record, created


def _confirmation(sig: SafeSignature, when: str) -> dict[str, Any]:
    return {"owner": sig.signer, "signature": exported(sig), "signatureType": SIGNATURE_TYPES[sig.kind],
            "submissionDate": when, "transactionHash": None}


def confirm(svc: "LocalTransactionService", h: str, blob: Any) -> dict[str, Any]:
    """SafeMultisigConfirmationSerializer.validate_signature (l. 90-151) and .save (l. 153-182):
    every signer an owner with a valid signature; an owner who already confirmed is kept as is
    (get_or_create), so a repeated confirmation is accepted."""
    record = svc.txs.get(h)
    if record is None:
        raise LookupError(f"Multisig transaction with safe-tx-hash={h} was not found")
    svc.refresh_executed(record["safe"])
    if record["isExecuted"]:
        raise Invalid(f"Transaction with safe-tx-hash={h} was already executed", "signature")
    state = read_safe(svc.w3, record["safe"])
    tx = SafeTx.from_json(record)
    domain = SafeDomain(state.chain_id, state.address, state.hash_version)
    h_bytes, preimage = bytes.fromhex(h[2:]), encode_typed_data(tx, domain)
    sigs = _signatures(h_bytes, blob)
    if not sigs:
        raise Invalid("Ensure this field has at least 65 characters.", "signature")  # HexadecimalField(min_length=65)
    seen: list[str] = []
    for sig in sigs:
        if sig.signer not in state.owners:
            raise Invalid(f"Signer={sig.signer} is not an owner. Current owners={state.owners}", "signature")
        if not signature_is_valid(svc.w3, sig, h_bytes, preimage, state.address):
            raise Invalid(f"Signature={_hex(sig)} for owner={sig.signer} is not valid", "signature")
        if sig.signer in seen:
            raise Invalid(f"Signature for owner={sig.signer} is duplicated", "signature")
        seen.append(sig.signer)
    now = now_iso()
    have = {c["owner"] for c in record["confirmations"]}
    for sig in sigs:
        if sig.signer not in have:
            record["confirmations"].append(_confirmation(sig, now))
            have.add(sig.signer)
    record.update(trusted=True, modified=now)
    return record


# -- delegates ---------------------------------------------------------------------------------


def _chainless_delegate_hash(delegate: str, at_totp: int) -> bytes:
    """DelegateSignatureHelperV2 (history/helpers.py l. 84-131) with chain_id None: the domain
    without chainId, which the service accepts too (l. 486-488)."""
    domain = keccak(abi_encode(["bytes32", "bytes32", "bytes32"], [
        keccak(b"EIP712Domain(string name,string version)"), keccak(DOMAIN_NAME.encode()), keccak(DOMAIN_VERSION.encode())]))
    struct = keccak(abi_encode(["bytes32", "address", "uint256"], [keccak(DELEGATE_TYPE.encode()), delegate, at_totp]))
    return keccak(b"\x19\x01" + domain + struct)


def _signed_by(svc: "LocalTransactionService", delegate: str, signature: Any, signer: str) -> bool:
    """DelegateSerializerMixin.validate_delegator_signature (l. 475-515)."""
    any_valid = False
    for at in valid_totps():
        for digest in (delegate_message_hash(delegate, svc.chain_id, at), _chainless_delegate_hash(delegate, at)):
            sigs = _signatures(digest, signature)
            if not sigs:
                raise Invalid("Signature is not valid")
            if len(sigs) > 1:
                raise Invalid("More than one signatures detected, just one is expected")
            if signature_is_valid(svc.w3, sigs[0], digest, digest, sigs[0].signer):
                any_valid = True
                if sigs[0].signer == signer:
                    return True
    if not any_valid:
        raise Invalid(f"No valid signature found for signer={signer}")
    return False


def _check_safe_and_delegator(svc: "LocalTransactionService", safe: str | None, delegator: str) -> None:
    """DelegateSerializerMixin.validate_safe_address_and_delegator (l. 456-473)."""
    if safe is None:
        return
    try:
        owners = read_safe(svc.w3, safe).owners
    except LookupError:
        raise Invalid(f"Safe={safe} does not exist or it's still not indexed") from None
    if delegator not in owners:
        raise Invalid(f"Provided delegator={delegator} is not an owner of Safe={safe}")


def _required(body: dict[str, Any], field: str) -> Any:
    if body.get(field) in (None, ""):
        raise Invalid("This field is required." if field not in body else "This field may not be blank.", field)
    return body[field]


def add_delegate(svc: "LocalTransactionService", body: Any) -> dict[str, Any]:
    """DelegateSerializerV2 (l. 518-573): a label of at most 50 characters, an expiry date in
    the future, the delegator's signature; update_or_create by (safe, delegate, delegator)."""
    if not isinstance(body, dict):
        raise Invalid("Invalid data. Expected a dictionary, but got list.")
    delegate, delegator = _address(_required(body, "delegate"), "delegate"), _address(_required(body, "delegator"), "delegator")
    safe = _address(body["safe"], "safe") if body.get("safe") else None
    label = str(_required(body, "label"))
    if len(label) > 50:  # l. 523 CharField(max_length=50)
        raise Invalid("Ensure this field has no more than 50 characters.", "label")
    expiry = body.get("expiryDate")
    if expiry:  # l. 528-541
        try:
            when = datetime.fromisoformat(str(expiry).replace("Z", "+00:00"))
        except ValueError:
            raise Invalid("Datetime has wrong format.", "expiryDate") from None
        if (when if when.tzinfo else when.replace(tzinfo=timezone.utc)) <= datetime.now(timezone.utc):
            raise Invalid("`expiry_date` cannot be previous to the current timestamp", "expiryDate")
    signature = _required(body, "signature")
    _check_safe_and_delegator(svc, safe, delegator)
    if not _signed_by(svc, delegate, signature, delegator):
        raise Invalid(f"Signature does not match provided delegator={delegator}")
    now = now_iso()
    for d in svc.delegates:
        if (d["safe"], d["delegate"], d["delegator"]) == (safe, delegate, delegator):
            d.update(label=label, expiryDate=expiry or None, modified=now)
            return d
    entry = {"safe": safe, "delegate": delegate, "delegator": delegator, "label": label, "expiryDate": expiry or None,
             "created": now, "modified": now}
    svc.delegates.append(entry)
    return entry


def delete_delegate(svc: "LocalTransactionService", delegate: str, body: Any) -> int:
    """DelegateDeleteSerializerV2 (l. 576-595) and DelegateDeleteView (views_v2.py l. 206-238):
    signed by the delegator or the delegate; every pair for that Safe (or all Safes) goes; the
    number removed (0: the view answers 404)."""
    if not isinstance(body, dict):
        raise Invalid("Invalid data. Expected a dictionary, but got list.")
    delegator = _address(_required(body, "delegator"), "delegator")
    safe = _address(body["safe"], "safe") if body.get("safe") else None
    signature = _required(body, "signature")
    _check_safe_and_delegator(svc, safe, delegator)
    if not (_signed_by(svc, delegate, signature, delegator) or _signed_by(svc, delegate, signature, delegate)):
        raise Invalid(f"Signature does not match provided delegate={delegate} or delegator={delegator}")
    gone = [d for d in svc.delegates if d["delegate"] == delegate and d["delegator"] == delegator
            and (safe is None or d["safe"] == safe)]
    for d in gone:
        svc.delegates.remove(d)
    return len(gone)
