"""`upgrader confirm` by a signer of an owner Safe (a nested Safe, see ``pipeline.signing``):

1. the owner Safe's inner approval -- ``approveHash(safeTxHash)`` on the outer Safe -- is
   proposed to the service for the owner Safe (or found queued there) and signed by this signer;
2. once the owner Safe's threshold of signatures is collected, the inner transaction is
   executed through the owner Safe's real ``execTransaction``, so the outer Safe records
   ``approvedHashes[ownerSafe][safeTxHash]``;
3. the outer transaction gets the owner Safe's pre-approved-hash confirmation (v = 1).

Each step is idempotent: a re-run finds what is done and continues.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from upgrader.sim.safe_exec import execute as exec_transaction
from upgrader.sim.safe_exec import safe_contract
from upgrader.errors import InputError, UnsafeError
from upgrader.stages.sign.signer import Signer, signed
from upgrader.safe.tx import typed_data
from upgrader.stages.sign.owners import InnerApproval, inner_approval, owner_safes
from upgrader.safe_service.client import TransactionServiceClient
from upgrader.safe.signatures import approved_hash_signature, encode_signatures, recover_signature

__all__ = ["NestedConfirm", "confirm_through_owner_safe", "owner_safe_of"]


@dataclass(frozen=True)
class NestedConfirm:
    owner_safe: str
    inner: InnerApproval
    inner_confirmations: int
    executed_tx: str | None  # the inner execTransaction, once the owner Safe's threshold was met
    approved: bool  # the outer Safe holds the owner Safe's approval

    def to_json(self) -> dict[str, Any]:
        return {"owner_safe": self.owner_safe, "inner": self.inner.to_json(), "inner_confirmations": self.inner_confirmations,
                "inner_threshold": self.inner.threshold, "inner_executed_tx": self.executed_tx, "approved": self.approved}


def owner_safe_of(w3: Any, safe: str, signer: str) -> str | None:
    """The owner Safe of ``safe`` that ``signer`` signs for, if any (first in owner order)."""
    for owner_safe, (owners, _, _) in owner_safes(w3, safe).items():
        if signer in owners:
            return owner_safe
    return None


def _approved(w3: Any, safe: str, owner: str, h: str) -> bool:
    return bool(safe_contract(w3, safe).functions.approvedHashes(owner, bytes.fromhex(h[2:])).call())


def confirm_through_owner_safe(w3: Any, client: TransactionServiceClient, safe: str, h: str, signer: Signer,
                               owner_safe: str, executor: str | None = None) -> NestedConfirm:
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
        except RuntimeError as exc:
            raise UnsafeError(f"the owner Safe {owner_safe} could not execute its approval: {exc}") from None
        executed = "0x" + bytes(receipt["transactionHash"]).hex()
    approved = _approved(w3, safe, owner_safe, h)
    if approved:
        outer = client.multisig_transaction(h)
        if outer is not None and not outer.confirmed_by(owner_safe):
            client.confirm(h, approved_hash_signature(owner_safe).to_hex(), owner=owner_safe)
    return NestedConfirm(owner_safe, inner, len(sigs), executed, approved)


def _sender(w3: Any, preferred: str) -> str:
    unlocked = [str(a) for a in w3.eth.accounts]
    if preferred in unlocked:
        return preferred
    if unlocked:
        return unlocked[0]
    raise InputError("the owner Safe's approval has its signatures but no account on this node can send it; "
                     "execute its inner transaction from an account with gas")
