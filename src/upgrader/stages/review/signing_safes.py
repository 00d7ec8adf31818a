"""Every Safe whose signers sign for a transaction, with what each of their hardware wallets
shows: the outer Safe's SafeTx, and for each owner that is itself a Safe (nested, up to
``sim.runner.MAX_NESTING`` deep) the owner Safe's own SafeTx approving its parent's hash --
``approveHash(parent safeTxHash)`` sent to the parent at the owner Safe's next nonce, the route
``sim.runner`` executes on the fork and ``stages.sign.nested`` confirms through. An owner Safe
that can sign by EIP-1271 alone (``sign.eip1271.can_sign_alone``) also gets the SafeMessage
hash its signer signs on that route.

    entries = signing_safes(w3, safe, tx, version)   # read on the fork, before the run
    safe_tx_fields(tx, domain)                       # pure: the EIP-712 fields and three hashes
"""

from __future__ import annotations

from typing import Any

from upgrader.safe.tx import SafeDomain, SafeTx, encode_typed_data, hashes, typed_data

__all__ = ["safe_tx_fields", "signing_safes"]


def safe_tx_fields(tx: SafeTx, domain: SafeDomain) -> dict[str, Any]:
    """The EIP-712 domain and message a wallet signs, and the domain hash, message hash and
    safeTxHash it shows (Ledger and Trezor show the first two)."""
    h = hashes(tx, domain)
    data = typed_data(tx, domain)
    message = {k: (str(v) if isinstance(v, int) and not isinstance(v, bool) else v) for k, v in data["message"].items()}
    message["operation"] = str(tx.operation)
    return {"domain": {k: str(v) for k, v in data["domain"].items()}, "message": message,
            "domain_hash": "0x" + h.domain_hash.hex(), "message_hash": "0x" + h.message_hash.hex(),
            "safe_tx_hash": "0x" + h.safe_tx_hash.hex()}


def signing_safes(w3: Any, safe: str, tx: SafeTx, version: str | None = None) -> list[dict[str, Any]]:
    """The outer Safe first, then each owner Safe depth first, in owner order."""
    from upgrader.sim.safe_exec import safe_contract

    c = safe_contract(w3, safe).functions
    domain = SafeDomain(int(w3.eth.chain_id), safe, version or str(c.VERSION().call()))
    out = [_entry(w3, "0", "outer Safe: its owners sign this transaction", tx, domain, None)]
    _owner_safes(w3, domain, tx, "0", out, depth=0)
    return out


def _entry(w3: Any, path: str, role: str, tx: SafeTx, domain: SafeDomain, contract_route: dict[str, Any] | None) -> dict[str, Any]:
    from upgrader.sim.safe_exec import safe_contract

    c = safe_contract(w3, domain.safe).functions
    return {"path": path, "safe": domain.safe, "version": domain.version, "role": role,
            "owners": list(c.getOwners().call()), "threshold": int(c.getThreshold().call()),
            **safe_tx_fields(tx, domain), "contract_signature": contract_route}


def _owner_safes(w3: Any, parent: SafeDomain, tx: SafeTx, path: str, out: list[dict[str, Any]], depth: int) -> None:
    from upgrader.sim.runner import MAX_NESTING, is_safe
    from upgrader.sim.safe_exec import safe_contract
    from upgrader.stages.sign import eip1271
    from upgrader.stages.sign.owners import approve_hash_data

    if depth >= MAX_NESTING:
        return
    parent_hash = hashes(tx, parent).safe_tx_hash
    owners = safe_contract(w3, parent.safe).functions.getOwners().call()
    for i, owner in enumerate(o for o in owners if is_safe(w3, o)):
        c = safe_contract(w3, owner).functions
        domain = SafeDomain(parent.chain_id, owner, str(c.VERSION().call()))
        inner = SafeTx(to=parent.safe, data=approve_hash_data("0x" + parent_hash.hex()), nonce=int(c.nonce().call()))
        route = None
        if eip1271.can_sign_alone(w3, owner):
            message = eip1271.signed_message(parent, parent_hash, encode_typed_data(tx, parent))
            route = {"domain_hash": "0x" + domain.separator.hex(), "message": "0x" + message.hex(),
                     "message_hash": "0x" + eip1271.safe_message_hash(domain, message).hex()}
        sub = f"{path}.{i + 1}"
        role = f"owner Safe of {parent.safe}: its owners sign approveHash({'0x' + parent_hash.hex()}) on it"
        out.append(_entry(w3, sub, role, inner, domain, route))
        _owner_safes(w3, domain, inner, sub, out, depth + 1)
