"""The chain of authority a manifest records (``Manifest.governance``): who the proxies' owner
is and how the Safe reaches it. ``None`` in a manifest means the Safe upgrades directly.

- ``timelock``: the proxies (or their ProxyAdmin/beacon) are owned by an OpenZeppelin
  ``TimelockController``; the Safe schedules, anyone (open executor role), the Safe or an
  account holding ``EXECUTOR_ROLE`` executes.
- ``governor``: an OpenZeppelin ``Governor`` with ``GovernorTimelockControl`` proposes to that
  Timelock; the Safe proposes to the Governor, token holders vote, anyone queues and executes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from upgrader.manifest.address import Address

OzVersion = Literal["5", "4"]  # OpenZeppelin Contracts major version (4.x means 4.9's ABI)
Role = Literal["proposer", "canceller", "executor"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimelockRecord(_Strict):
    address: Address
    oz_version: OzVersion
    min_delay: int = Field(ge=0)  # getMinDelay() when read, in seconds
    proposers: list[Address]  # the known accounts (the Safe, the Governor) holding PROPOSER_ROLE
    cancellers: list[Address] = []
    executors: list[Address] = []
    executor_open: bool = False  # EXECUTOR_ROLE granted to address(0): anyone may execute


class GovernorRecord(_Strict):
    address: Address
    oz_version: OzVersion
    name: str
    token: Address | None = None
    clock_mode: str = "mode=blocknumber&from=default"  # ERC-6372 CLOCK_MODE()
    voting_delay: int = Field(ge=0)
    voting_period: int = Field(ge=1)


class GovernanceRecord(_Strict):
    kind: Literal["timelock", "governor"]
    timelock: TimelockRecord
    governor: GovernorRecord | None = None

    @model_validator(mode="after")
    def _governor_when_kind_says(self) -> "GovernanceRecord":
        if (self.kind == "governor") != (self.governor is not None):
            raise ValueError(f"governance kind {self.kind!r} {'needs' if self.kind == 'governor' else 'takes no'} a governor record")
        return self

    @property
    def authority(self) -> str:
        """The address that owns the proxies (their upgrades are its calls)."""
        return self.timelock.address
