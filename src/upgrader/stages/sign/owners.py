"""Who signs for a Safe when its owners are not all plain keys: delegates that propose, and
owners that are Safes themselves (nested Safes).

A Safe owner that is itself a Safe ("owner Safe") approves the outer safeTxHash with its own
Safe transaction: ``approveHash(safeTxHash)`` called on the outer Safe (the "inner approval").
Its signers sign the inner SafeTx like any other; once the owner Safe's threshold is met and
the inner transaction executes, the outer Safe holds ``approvedHashes[ownerSafe][safeTxHash]``
and the outer execution carries the matching pre-approved signature (v = 1, r = owner Safe)
in owner order. An owner Safe with a fallback handler whose threshold one signer meets signs
by EIP-1271 instead (``sign.eip1271``): its signer signs the owner Safe's SafeMessage of the
outer transaction, no transaction needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from upgrader.sim.safe_exec import safe_contract
from upgrader.safe_service.client import MultisigTx, TransactionServiceClient
from upgrader.safe.tx import CALL, SafeDomain, SafeTx, encode_typed_data, hashes
from upgrader.stages.sign import eip1271

__all__ = ["InnerApproval", "approve_hash_data", "inner_approval", "owner_safes", "proposer_note", "signing_section"]

APPROVE_HASH_SELECTOR = bytes.fromhex("d4d9bdcd")  # approveHash(bytes32)


def approve_hash_data(safe_tx_hash: str) -> bytes:
    return APPROVE_HASH_SELECTOR + bytes.fromhex(safe_tx_hash[2:])


@dataclass(frozen=True)
class InnerApproval:
    owner_safe: str
    owners: tuple[str, ...]
    threshold: int
    tx: SafeTx
    domain: SafeDomain

    @property
    def hashes(self) -> dict[str, str]:
        h = hashes(self.tx, self.domain)
        return {"domain_hash": "0x" + h.domain_hash.hex(), "message_hash": "0x" + h.message_hash.hex(),
                "safe_tx_hash": "0x" + h.safe_tx_hash.hex()}

    @property
    def safe_tx_hash(self) -> str:
        return self.hashes["safe_tx_hash"]

    def to_json(self) -> dict[str, Any]:
        return {"owner_safe": self.owner_safe, "owners": list(self.owners), "threshold": self.threshold,
                "tx": {**self.tx.to_json(), "nonce": str(self.tx.nonce)}, **self.hashes}


def owner_safes(w3: Any, safe: str) -> dict[str, tuple[list[str], int, str]]:
    """Owners of ``safe`` that are Safes: owner Safe -> (its owners, its threshold, its version)."""
    out = {}
    for owner in safe_contract(w3, safe).functions.getOwners().call():
        if not w3.eth.get_code(owner):
            continue
        try:
            c = safe_contract(w3, owner).functions
            out[owner] = (list(c.getOwners().call()), int(c.getThreshold().call()), str(c.VERSION().call()))
        except Exception:  # a contract owner that is not a Safe (no getOwners)
            continue
    return out


def inner_approval(w3: Any, client: TransactionServiceClient | None, safe: str, safe_tx_hash: str, owner_safe: str) -> InnerApproval:
    """The owner Safe's transaction approving ``safe_tx_hash`` on ``safe``: the one already
    queued in the service if there is one, else a new one at the owner Safe's next nonce."""
    owners, threshold, version = owner_safes(w3, safe)[owner_safe]
    domain = SafeDomain(int(w3.eth.chain_id), owner_safe, version)
    data = approve_hash_data(safe_tx_hash)
    onchain = int(safe_contract(w3, owner_safe).functions.nonce().call())
    nonce = onchain
    if client is not None:
        queued = client.queued(owner_safe, onchain)
        same = [t for t in queued if t.tx.to == safe and t.tx.data == data and t.tx.operation == CALL and t.tx.value == 0]
        if same:
            return InnerApproval(owner_safe, tuple(owners), threshold, min(same, key=lambda t: t.nonce).tx, domain)
        nonce = max([onchain, *(t.nonce + 1 for t in queued)])
    return InnerApproval(owner_safe, tuple(owners), threshold, SafeTx(to=safe, data=data, nonce=nonce), domain)


def proposer_note(w3: Any, client: TransactionServiceClient, safe: str, mtx: MultisigTx | None, address: str | None) -> str | None:
    """'proposed by delegate X of owner Y' (or by an owner of an owner Safe); None for an owner."""
    if mtx is not None and mtx.proposed_by_delegate:
        return f"proposed by delegate {mtx.proposed_by_delegate} of owner {mtx.proposer}"
    who = address or (mtx.proposer if mtx else None)
    if who is None:
        return None
    owners = list(safe_contract(w3, safe).functions.getOwners().call())
    if who in owners:
        return None
    from upgrader.stages.sign.delegates import delegator_of_safe

    delegator = delegator_of_safe(w3, client, safe, who)
    if delegator:
        return f"proposed by delegate {who} of owner {delegator}"
    for owner_safe, (inner, _, _) in owner_safes(w3, safe).items():
        if who in inner:
            return f"proposed by {who}, an owner of owner Safe {owner_safe}"
    return f"proposed by {who}, who is neither an owner nor a delegate of an owner"


def signing_section(w3: Any, client: TransactionServiceClient | None, safe: str, safe_tx_hash: str,
                    mtx: MultisigTx | None = None, proposer: str | None = None) -> dict[str, Any]:
    """What the review shows about signers: the proposer, and per owner Safe its inner approval
    (the SafeTx its own signers sign, with hashes as a hardware wallet shows them)."""
    note = proposer_note(w3, client, safe, mtx, proposer) if client is not None else None
    nested = []
    for owner_safe in owner_safes(w3, safe):
        if mtx is not None and eip1271.can_sign_alone(w3, owner_safe):
            nested.append(_message_section(w3, safe, safe_tx_hash, mtx, owner_safe))
        else:
            nested.append(inner_approval(w3, client, safe, safe_tx_hash, owner_safe).to_json())
    return {"proposer": note, "nested_owners": nested}


def _message_section(w3: Any, safe: str, h: str, mtx: MultisigTx, owner_safe: str) -> dict[str, Any]:
    """What the owner Safe's signer signs on the EIP-1271 route: its SafeMessage hash."""
    c = safe_contract(w3, owner_safe).functions
    outer = SafeDomain(int(w3.eth.chain_id), safe, str(safe_contract(w3, safe).functions.VERSION().call()))
    message = eip1271.signed_message(outer, bytes.fromhex(h[2:]), encode_typed_data(mtx.tx, outer))
    domain = SafeDomain(int(w3.eth.chain_id), owner_safe, str(c.VERSION().call()))
    return {"owner_safe": owner_safe, "route": "contract-signature", "owners": list(c.getOwners().call()),
            "threshold": int(c.getThreshold().call()), "domain_hash": "0x" + domain.separator.hex(),
            "message": "0x" + message.hex(), "message_hash": "0x" + eip1271.safe_message_hash(domain, message).hex()}


def signing_markdown(section: dict[str, Any] | None) -> str:
    """The review's "Signers" section: the proposer, and each owner Safe's inner approval."""
    if not section or not (section.get("proposer") or section.get("nested_owners")):
        return ""
    lines = ["", "## Signers", ""]
    if section.get("proposer"):
        lines += [f"- {section['proposer']}: a delegate cannot sign; every confirmation still comes from an owner", ""]
    for inner in section.get("nested_owners") or []:
        if inner.get("route") == "contract-signature":
            lines += [f"### Owner Safe `{inner['owner_safe']}` ({inner['threshold']} of {len(inner['owners'])}: "
                      f"{', '.join(f'`{o}`' for o in inner['owners'])})", "",
                      "Its signer approves this transaction by signing the owner Safe's SafeMessage of it (EIP-1271):", "",
                      f"- message `{inner['message']}`", f"- domain hash `{inner['domain_hash']}`",
                      f"- SafeMessage hash `{inner['message_hash']}`", ""]
            continue
        tx = inner["tx"]
        lines += [f"### Owner Safe `{inner['owner_safe']}` ({inner['threshold']} of {len(inner['owners'])}: "
                  f"{', '.join(f'`{o}`' for o in inner['owners'])})", "",
                  "Its signers approve this transaction by signing the owner Safe's own transaction:", "",
                  f"- to `{tx['to']}` (this Safe), CALL, value 0, data `{tx['data']}` = approveHash(this safeTxHash)",
                  f"- nonce {tx['nonce']} of the owner Safe",
                  f"- domain hash `{inner['domain_hash']}`", f"- message hash `{inner['message_hash']}`",
                  f"- safeTxHash `{inner['safe_tx_hash']}`", ""]
    return "\n".join(lines) + "\n"
