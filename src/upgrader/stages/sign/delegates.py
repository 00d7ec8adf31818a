"""`upgrader delegate add|remove|list`: an owner of the network's Safe names an address that
may propose to the Safe on its behalf (a deployer bot, a CI key) without being able to sign.

The owner signs Safe's EIP-712 ``Delegate`` message (``safe.delegate_message``) for this
chain and the current hour; the service checks it. A delegate's proposal carries no owner
signature: the owners still confirm it one by one (``upgrader confirm``).

Who may propose is the Transaction Service's rule (safe-global/safe-transaction-service
``history/serializers.py`` @ 3e0199c4 l. 263-274, with ``history/models.py`` l. 2147-2160): an
owner of the Safe, or a delegate of a current owner for this Safe or for every Safe, not past
its expiry date. ``proposer_role`` checks it before anything is posted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from upgrader.sim.safe_exec import safe_contract
from upgrader.errors import InputError
from upgrader.stages.context import NetworkContext
from upgrader.stages.sign.signer import Signer, signed
from upgrader.safe._values import parse_address
from upgrader.safe_service.client import Delegate, ServiceRejected, TransactionServiceClient
from upgrader.safe.delegate_message import delegate_message_hash

__all__ = ["DelegateChange", "add", "remove", "listed", "delegator_of_safe", "proposer_role", "require_proposer"]


@dataclass(frozen=True)
class DelegateChange:
    action: str  # "added" | "removed"
    delegate: str
    delegator: str
    safe: str
    label: str

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "delegate": self.delegate, "delegator": self.delegator, "safe": self.safe,
                "label": self.label}


def _owners(ctx: NetworkContext, safe: str) -> list[str]:
    return list(safe_contract(ctx.w3, safe).functions.getOwners().call())


def _owner_signer(ctx: NetworkContext, safe: str, signer: Signer) -> None:
    owners = _owners(ctx, safe)
    if signer.address not in owners:
        raise InputError(f"{signer.address} is not an owner of Safe {safe} (owners: {', '.join(owners)}); "
                         "only an owner can add or remove its delegates: pass --sender OWNER")


def _signature(ctx: NetworkContext, signer: Signer, delegate: str) -> str:
    return signed(signer, delegate_message_hash(delegate, ctx.chain_id))


def add(ctx: NetworkContext, client: TransactionServiceClient, signer: Signer, delegate: str, label: str) -> DelegateChange:
    safe = ctx.manifest().safe.address
    delegate = parse_address(delegate, "--delegate")
    _owner_signer(ctx, safe, signer)
    if delegate == signer.address:
        raise InputError("an owner cannot be its own delegate; pass another --delegate")
    if any(d.delegate == delegate and d.delegator == signer.address for d in client.delegates(safe=safe)):
        return DelegateChange("already a delegate", delegate, signer.address, safe, label)
    client.add_delegate(delegate, signer.address, _signature(ctx, signer, delegate), label, safe)
    return DelegateChange("added", delegate, signer.address, safe, label)


def remove(ctx: NetworkContext, client: TransactionServiceClient, signer: Signer, delegate: str) -> DelegateChange:
    safe = ctx.manifest().safe.address
    delegate = parse_address(delegate, "--delegate")
    mine = [d for d in client.delegates(safe=safe) if d.delegate == delegate and d.delegator == signer.address]
    if not mine:
        raise InputError(f"{delegate} is not a delegate of {signer.address} for Safe {safe}; `upgrader delegate list` shows them")
    try:
        client.remove_delegate(delegate, signer.address, _signature(ctx, signer, delegate), safe)
    except ServiceRejected as exc:
        # A DELETE whose answer was lost is retried and then answered 404: the first attempt
        # removed it. Only a delegate that is really gone counts as removed.
        gone = not any(d.delegate == delegate and d.delegator == signer.address for d in client.delegates(safe=safe))
        if exc.status != 404 or not gone:
            raise
    return DelegateChange("removed", delegate, signer.address, safe, mine[0].label)


def listed(ctx: NetworkContext, client: TransactionServiceClient) -> list[Delegate]:
    """The Safe's delegates whose delegator is still an owner (others cannot propose); expired
    ones are listed too, marked by ``Delegate.expired``."""
    safe = ctx.manifest().safe.address
    owners = set(_owners(ctx, safe))
    return [d for d in client.delegates(safe=safe) if d.delegator in owners]


def delegator_of_safe(w3: Any, client: TransactionServiceClient, safe: str, address: str) -> str | None:
    """The owner ``address`` is an active delegate of for this Safe, if any: delegated for this
    Safe or for every Safe (safe null), by a current owner, not expired (models.py l. 2147-2160)."""
    owners = set(safe_contract(w3, safe).functions.getOwners().call())
    for d in client.delegates(delegate=parse_address(address, "delegate")):
        if d.delegator in owners and d.safe in (None, safe) and not d.expired():
            return d.delegator
    return None


def proposer_role(w3: Any, client: TransactionServiceClient, safe: str, address: str) -> str | None:
    """'owner', 'delegate of OWNER', or None when the service would refuse ``address`` as sender."""
    if address in safe_contract(w3, safe).functions.getOwners().call():
        return "owner"
    delegator = delegator_of_safe(w3, client, safe, address)
    return f"delegate of {delegator}" if delegator else None


def require_proposer(w3: Any, client: TransactionServiceClient, safe: str, address: str) -> str:
    """``proposer_role``, or one InputError saying who may propose (a signer of an owner Safe
    is neither: the outer Safe's owner is the owner Safe, not its signers)."""
    role = proposer_role(w3, client, safe, address)
    if role is not None:
        return role
    from upgrader.stages.sign.owners import owner_safes

    inner = [s for s, (owners, _, _) in owner_safes(w3, safe).items() if address in owners]
    why = f" (it signs for owner Safe {inner[0]}, which makes it neither)" if inner else ""
    raise InputError(f"{address} is neither an owner nor a delegate of Safe {safe}{why}; the Safe Transaction Service "
                     f"takes proposals only from those: pass --sender OWNER, or have an owner run "
                     f"`upgrader delegate add --delegate {address}`")
