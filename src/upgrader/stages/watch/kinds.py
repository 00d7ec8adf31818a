"""What ``watch`` reports: one finding per thing an operator must look at, each with a stable
``key`` so that it is reported once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["unplanned-upgrade", "safe-settings-changed", "foreign-queued-transaction", "proposal-waiting",
               "rpc-head-stale", "rpc-endpoints-disagree",
               # a Timelock / Governor in the chain of authority (stages.watch.timelock_scan)
               "unplanned-schedule", "operation-cancelled", "min-delay-changed", "timelock-role-changed",
               "proposal-created", "scheduled-operation-due"]
KINDS: tuple[str, ...] = ("unplanned-upgrade", "safe-settings-changed", "foreign-queued-transaction", "proposal-waiting",
                          "rpc-head-stale", "rpc-endpoints-disagree", "unplanned-schedule", "operation-cancelled",
                          "min-delay-changed", "timelock-role-changed", "proposal-created", "scheduled-operation-due")


@dataclass(frozen=True)
class WatchFinding:
    kind: Kind
    key: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self, network: str) -> dict[str, Any]:
        return {"kind": self.kind, "network": network, "message": self.message, **self.details}
