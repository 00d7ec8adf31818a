"""`upgrader confirm` by a signer of an owner Safe (a nested Safe, see ``sign.owners``), in one
of the two ways the Transaction Service accepts an owner Safe's confirmation
(safe-global/safe-transaction-service ``history/serializers.py`` @ 3e0199c4 l. 127-151: the
signer is an owner and ``is_valid`` holds, safe-global/safe-eth-py ``safe_signature.py`` @
e9d83ccf):

- contract signature (EIP-1271, ``sign.eip1271``) when the owner Safe has a fallback handler
  and this signer alone meets its threshold: the signer signs the owner Safe's SafeMessage of the
  outer safeTxHash, and the outer transaction gets the owner Safe's contract signature, which the
  service checks through the owner Safe's ``isValidSignature``. No transaction, no gas.
- approved hash otherwise:
  1. the owner Safe's inner approval -- ``approveHash(safeTxHash)`` on the outer Safe -- is
     proposed to the service for the owner Safe (or found queued there) and signed by this signer;
  2. once the owner Safe's threshold of signatures is collected, the inner transaction is
     executed through the owner Safe's real ``execTransaction``, so the outer Safe records
     ``approvedHashes[ownerSafe][safeTxHash]`` (which the service reads: ``approvedHashes == 1``);
  3. the outer transaction gets the owner Safe's pre-approved-hash confirmation (v = 1).

Each step is idempotent: a re-run finds what is done and continues.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from upgrader.sim.safe_exec import execute as exec_transaction
from upgrader.sim.safe_exec import safe_contract
from upgrader.errors import InputError, TransactionFailed, UnsafeError
from upgrader.stages.sign.signer import Signer, signed
from upgrader.safe.tx import SafeDomain, encode_typed_data, typed_data
from upgrader.stages.sign import eip1271
from upgrader.stages.sign.owners import InnerApproval, inner_approval, owner_safes
from upgrader.safe_service.client import TransactionServiceClient
from upgrader.safe.signatures import approved_hash_signature, encode_signatures, recover_signature

__all__ = ["NestedConfirm", "confirm_by_contract_signature", "confirm_through_owner_safe", "owner_safe_of"]


@dataclass(frozen=True)
class NestedConfirm:
    owner_safe: str
    inner: InnerApproval | None  # the approveHash transaction (None: contract signature)
    inner_confirmations: int
    executed_tx: str | None  # the inner execTransaction, once the owner Safe's threshold was met
    approved: bool  # the outer transaction holds the owner Safe's confirmation (or the chain its approval)
    route: str = "approved-hash"  # | "contract-signature"
    inner_threshold: int = 1
    message_hash: str | None = None  # the SafeMessage hash the signer signed (contract signature)

    def to_json(self) -> dict[str, Any]:
        return {"owner_safe": self.owner_safe, "route": self.route, "inner": self.inner.to_json() if self.inner else None,
                "message_hash": self.message_hash, "inner_confirmations": self.inner_confirmations,
                "inner_threshold": self.inner.threshold if self.inner else self.inner_threshold,
                "inner_executed_tx": self.executed_tx, "approved": self.approved}


def owner_safe_of(w3: Any, safe: str, signer: str) -> str | None:
    """The owner Safe of ``safe`` that ``signer`` signs for, if any (first in owner order)."""
    for owner_safe, (owners, _, _) in owner_safes(w3, safe).items():
        if signer in owners:
            return owner_safe
    return None


def _approved(w3: Any, safe: str, owner: str, h: str) -> bool:
    return bool(safe_contract(w3, safe).functions.approvedHashes(owner, bytes.fromhex(h[2:])).call())


def confirm_by_contract_signature(w3: Any, client: TransactionServiceClient, safe: str, h: str, signer: Signer,
                                  owner_safe: str) -> NestedConfirm:
    """The owner Safe's EIP-1271 signature of the outer transaction from this one signer (its
    threshold is 1)."""
    outer = client.multisig_transaction(h)
    if outer is None:
        raise InputError(f"the service has no transaction {h}; nothing to confirm")
    outer_domain = SafeDomain(int(w3.eth.chain_id), safe, str(safe_contract(w3, safe).functions.VERSION().call()))
    message = eip1271.signed_message(outer_domain, bytes.fromhex(h[2:]), encode_typed_data(outer.tx, outer_domain))
    domain = SafeDomain(int(w3.eth.chain_id), owner_safe, str(safe_contract(w3, owner_safe).functions.VERSION().call()))
    digest = eip1271.safe_message_hash(domain, message)
    done = NestedConfirm(owner_safe, None, 1, None, True, "contract-signature", 1, "0x" + digest.hex())
    if outer.confirmed_by(owner_safe):
        return done
    own = recover_signature(digest, signed(signer, digest, eip1271.message_typed_data(domain, message)))
    sig = eip1271.contract_signature(owner_safe, [own])
    if not eip1271.validates(w3, sig, message):
        raise InputError(f"owner Safe {owner_safe} does not accept {signer.address}'s signature through isValidSignature; "
                         "check its fallback handler and owners")
    client.confirm(h, eip1271.standalone_hex(sig), owner=owner_safe)
    return done


def confirm_through_owner_safe(w3: Any, client: TransactionServiceClient, safe: str, h: str, signer: Signer,
                               owner_safe: str, executor: str | None = None) -> NestedConfirm:
    if eip1271.can_sign_alone(w3, owner_safe):
        return confirm_by_contract_signature(w3, client, safe, h, signer, owner_safe)
    inner = inner_approval(w3, client, safe, h, owner_safe)
    ih = inner.safe_tx_hash
    if not _approved(w3, safe, owner_safe, h):
        queued = client.multisig_transaction(ih)
        signature = signed(signer, bytes.fromhex(ih[2:]), typed_data(inner.tx, inner.domain))
        if queued is None:
            client.propose(owner_safe, inner.tx, ih, signer.address, signature, "upgrader (nested approval)")
        elif not queued.confirmed_by(signer.address):
            client.confirm(ih, signature, owner=signer.address)
    mtx = client.multisig_transaction(ih)
    sigs = {}
    for c in (mtx.confirmations if mtx else ()):
        try:
            sig = recover_signature(ih, c.signature)
        except InputError:
            continue
        if sig.verified and sig.signer in inner.owners:
            sigs[sig.signer] = sig
    executed = None
    if not _approved(w3, safe, owner_safe, h) and len(sigs) >= inner.threshold:
        chosen = sorted(sigs.values(), key=lambda s: int(s.signer, 16))[: inner.threshold]
        try:
            receipt = exec_transaction(w3, owner_safe, inner.tx, encode_signatures(chosen), executor or _sender(w3, signer.address))
        except TransactionFailed as exc:
            raise UnsafeError(f"the owner Safe {owner_safe} could not execute its approval: {exc}") from None
        executed = "0x" + bytes(receipt["transactionHash"]).hex()
    approved = _approved(w3, safe, owner_safe, h)
    if approved:
        outer = client.multisig_transaction(h)
        if outer is not None and not outer.confirmed_by(owner_safe):
            client.confirm(h, approved_hash_signature(owner_safe).to_hex(), owner=owner_safe)
    return NestedConfirm(owner_safe, inner, len(sigs), executed, approved, "approved-hash", inner.threshold)


def _sender(w3: Any, preferred: str) -> str:
    unlocked = [str(a) for a in w3.eth.accounts]
    if preferred in unlocked:
        return preferred
    if unlocked:
        return unlocked[0]
    raise InputError("the owner Safe's approval has its signatures but no account on this node can send it; "
                     "execute its inner transaction from an account with gas")
