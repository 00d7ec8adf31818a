"""`upgrader delegate add|remove|list`: an owner of the network's Safe names an address that
may propose to the Safe on its behalf (a deployer bot, a CI key) without being able to sign.

The owner signs Safe's EIP-712 ``Delegate`` message (``safe.service.delegates``) for this
chain and the current hour; the service checks it. A delegate's proposal carries no owner
signature: the owners still confirm it one by one (``upgrader confirm``).
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

__all__ = ["DelegateChange", "add", "remove", "listed", "delegator_of_safe"]


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
    """The Safe's delegates whose delegator is still an owner (others cannot propose)."""
    safe = ctx.manifest().safe.address
    owners = set(_owners(ctx, safe))
    return [d for d in client.delegates(safe=safe) if d.delegator in owners]


def delegator_of_safe(w3: Any, client: TransactionServiceClient, safe: str, address: str) -> str | None:
    """The owner ``address`` is a delegate of for this Safe, if any."""
    owners = set(safe_contract(w3, safe).functions.getOwners().call())
    for d in client.delegates(safe=safe):
        if d.delegate.lower() == address.lower() and d.delegator in owners:
            return d.delegator
    return None
