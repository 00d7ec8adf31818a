"""What every chain of authority offers (``GovernanceChain``), and the few helpers the kinds share.

A chain knows: the address whose calls upgrade the proxies (``authority``), how a plan's
upgrade calls become what the Safe signs (``wrap``), where an upgrade stands on chain
(``progress``), how to describe itself to a human, and what to watch."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

from eth_utils import to_checksum_address

if TYPE_CHECKING:
    from web3 import Web3

    from upgrader.manifest import Manifest

LegState = Literal["not-scheduled", "proposed", "voting", "succeeded", "defeated", "expired", "scheduled", "ready",
                   "executed", "cancelled"]


@dataclass(frozen=True)
class Progress:
    """Where one plan's upgrade stands in its chain: the operation (timelock) or proposal
    (governor) id, its state, and when it becomes executable."""

    plan_hash: str
    chain: str  # "timelock" | "governor"
    id: str  # operation id (0x…) or proposal id (decimal)
    state: LegState
    ready_at: int | None = None  # unix seconds (the timelock's timestamp)
    now: int | None = None  # the chain's latest block timestamp
    detail: str = ""

    @property
    def text(self) -> str:
        """``scheduled (ready at 2026-12-04 18:00:00 UTC, in 1d 23h)`` and the like."""
        if self.state == "scheduled" and self.ready_at is not None:
            return f"scheduled (ready at {utc(self.ready_at)}, in {duration(self.ready_at - (self.now or int(time.time())))})"
        if self.state == "ready" and self.ready_at is not None:
            return f"ready (since {utc(self.ready_at)})"
        return self.state + (f" ({self.detail})" if self.detail else "")

    def to_json(self) -> dict[str, Any]:
        return {"plan_hash": self.plan_hash, "chain": self.chain, "id": self.id, "state": self.state,
                "ready_at": self.ready_at, "ready_at_utc": utc(self.ready_at) if self.ready_at else None,
                "now": self.now, "text": self.text}


class GovernanceChain(Protocol):
    name: ClassVar[str]
    label: ClassVar[str]

    def authority(self, manifest: "Manifest") -> str:
        """The address whose calls upgrade the proxies (the Safe, or the Timelock)."""

    def wrap(self, w3: "Web3", manifest: "Manifest", body: dict[str, Any]) -> dict[str, Any]:
        """The plan body with ``calls`` as the Safe makes them and the chain's legs recorded."""

    def progress(self, w3: "Web3", manifest: "Manifest", plan: dict[str, Any], from_block: int = 0) -> Progress | None:
        """Where the plan's upgrade stands (None: the chain has a single leg, the Safe's)."""

    def describe(self, manifest: "Manifest") -> list[str]:
        """One line per link of the chain, for ``import`` and ``status``."""


def utc(ts: int) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def duration(seconds: int) -> str:
    """``1d 23h``, ``5h 3m``, ``42s``: the two largest units."""
    seconds = max(0, int(seconds))
    parts = [(seconds // 86400, "d"), (seconds % 86400 // 3600, "h"), (seconds % 3600 // 60, "m"), (seconds % 60, "s")]
    while len(parts) > 1 and parts[0][0] == 0:
        parts.pop(0)
    return " ".join(f"{n}{u}" for n, u in parts[:2])


def view(w3: "Web3", address: str, fragment: dict[str, Any], *args: Any) -> Any | None:
    """A view call's single result, or None when it reverts or the function is absent."""
    contract = w3.eth.contract(address=to_checksum_address(address), abi=[fragment])
    try:
        return getattr(contract.functions, fragment["name"])(*args).call()
    except Exception:  # revert, no such function, empty return: the answer is "not this"
        return None


def latest_timestamp(w3: "Web3") -> int:
    return int(w3.eth.get_block("latest")["timestamp"])
