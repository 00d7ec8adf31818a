"""What ``watch`` reports: one finding per thing an operator must look at, each with a stable
``key`` so that it is reported once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["unplanned-upgrade", "safe-settings-changed", "foreign-queued-transaction", "proposal-waiting",
               "rpc-head-stale", "rpc-endpoints-disagree"]
KINDS: tuple[str, ...] = ("unplanned-upgrade", "safe-settings-changed", "foreign-queued-transaction", "proposal-waiting",
                          "rpc-head-stale", "rpc-endpoints-disagree")


@dataclass(frozen=True)
class WatchFinding:
    kind: Kind
    key: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self, network: str) -> dict[str, Any]:
        return {"kind": self.kind, "network": network, "message": self.message, **self.details}
