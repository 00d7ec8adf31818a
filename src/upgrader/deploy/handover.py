"""`upgrader handover`: every upgrade right of the recorded proxies to the manifest's Safe.

Per proxy the contract whose ``owner()`` upgrades it (``proxies``' governor): the UUPS proxy
itself, the ProxyAdmin of a Transparent proxy, the UpgradeableBeacon of a Beacon; each not yet
owned by the Safe gets ``transferOwnership(safe)`` (OpenZeppelin ``Ownable``, 4.x and 5.x),
sent by its current owner once the caller confirmed it. Idempotent: what the Safe owns is left
alone, so a re-run after an interruption does only what is left. The manifest's ``governor``
of each proxy is then read again from the chain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from eth_abi import encode

from upgrader.errors import InputError
from upgrader.keccak import keccak
from upgrader.proxies import kind_of
from upgrader.proxies.base import owner_of

if TYPE_CHECKING:
    from upgrader.manifest import Manifest, ProxyRecord

TRANSFER = "transferOwnership(address)"


@dataclass(frozen=True)
class Transfer:
    contract: str  # the Ownable to call
    role: str  # "UUPS proxy", "ProxyAdmin", "UpgradeableBeacon"
    proxies: tuple[str, ...]  # the modules it governs
    owner: str  # who sends the call
    safe: str

    @property
    def data(self) -> bytes:
        return keccak(TRANSFER.encode())[:4] + encode(["address"], [self.safe])

    def describe(self) -> str:
        return (f"{self.role} {self.contract} (governs {', '.join(self.proxies)}): {TRANSFER.split('(')[0]}({self.safe}) "
                f"from its owner {self.owner}")

    def to_json(self) -> dict[str, Any]:
        return {"contract": self.contract, "role": self.role, "proxies": list(self.proxies), "from": self.owner,
                "function": TRANSFER, "args": [self.safe], "data": "0x" + self.data.hex()}


@dataclass
class HandoverResult:
    safe: str
    sent: list[tuple[Transfer, str]] = field(default_factory=list)  # (transfer, tx hash)
    already: list[str] = field(default_factory=list)  # modules the Safe already governs
    skipped: list[str] = field(default_factory=list)  # what could not be handed over, and why

    def to_json(self) -> dict[str, Any]:
        return {"safe": self.safe, "sent": [{**t.to_json(), "tx": h} for t, h in self.sent],
                "already_with_the_safe": self.already, "skipped": self.skipped}


def _owned(w3: Any, record: "ProxyRecord") -> tuple[str | None, str]:
    if record.kind.startswith("uups"):
        return record.address, "UUPS proxy"
    if record.kind.startswith("transparent"):
        return kind_of(record).admin(w3, record), "ProxyAdmin"  # type: ignore[attr-defined]
    return record.beacon, "UpgradeableBeacon"


def plan_handover(w3: Any, manifest: "Manifest") -> tuple[list[Transfer], HandoverResult]:
    safe = manifest.safe.address
    result = HandoverResult(safe)
    by_contract: dict[str, tuple[str, str, list[str]]] = {}  # contract -> (role, owner, modules)
    for record in manifest.proxies:
        contract, role = _owned(w3, record)
        owner = owner_of(w3, contract) if contract else None
        if owner is None:
            result.skipped.append(f"{record.name}: its {role} has no owner() to transfer")
        elif owner == safe:
            result.already.append(record.name)
        else:
            by_contract.setdefault(contract, (role, owner, []))[2].append(record.name)  # type: ignore[arg-type]
    transfers = [Transfer(c, role, tuple(names), owner, safe) for c, (role, owner, names) in by_contract.items()]
    return transfers, result


def hand_over(w3: Any, manifest: "Manifest", sender_for: Callable[[str], Any], confirm: Callable[[Transfer], bool]) -> HandoverResult:
    """Send each confirmed transfer from its owner (``sender_for(owner)``: a ``deploy.sender.Sender``)."""
    transfers, result = plan_handover(w3, manifest)
    for transfer in transfers:
        if not confirm(transfer):
            result.skipped.append(f"{', '.join(transfer.proxies)}: not confirmed")
            continue
        sender = sender_for(transfer.owner)
        if sender.address != transfer.owner:
            raise InputError(f"{transfer.role} {transfer.contract} is owned by {transfer.owner}, not by {sender.address}; "
                             "pass --sender with its owner's account")
        receipt = sender.send(transfer.contract, transfer.data)
        now = owner_of(w3, transfer.contract)
        if now != transfer.safe:
            raise InputError(f"{transfer.role} {transfer.contract} is still owned by {now} after transferOwnership "
                             "(an Ownable2Step contract: the Safe must call acceptOwnership())")
        result.sent.append((transfer, "0x" + bytes(receipt["transactionHash"]).hex()))
    return result


def with_governors(w3: Any, manifest: "Manifest") -> "Manifest":
    records = [r.model_copy(update={"governor": kind_of(r).governor(w3, r)}) for r in manifest.proxies]
    return manifest.model_copy(update={"proxies": records})
