"""What one example did, step by step, on the fork that upgrades and on the reference fork
that does not, and the first failure if any."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from upgrader.fuzz.abi import AbiFunction
from upgrader.fuzz.engine import Outcome

FailureKind = Literal["divergence", "view-changed", "state-diverged", "invariant", "upgrade-failed", "forks-disagree"]


@dataclass(frozen=True)
class Call:
    """A concrete call: ``contract`` is a name of ``Target.contracts``."""

    contract: str
    address: str
    fn: AbiFunction
    args: tuple[Any, ...]
    sender: str
    value: int = 0

    @property
    def data(self) -> bytes:
        return self.fn.encode(self.args)


@dataclass(frozen=True)
class Step:
    """A call both forks ran (``upgrade`` None), or the upgrade itself (``call`` None)."""

    call: Call | None
    upgraded: Outcome | None = None  # on the fork that upgrades
    reference: Outcome | None = None  # on the fork that never upgrades
    after_upgrade: bool = False
    compared: bool = False  # its results had to be equal
    upgrade: dict[str, Any] | None = None  # the Safe execution (sim.runner's Execution.to_json())


@dataclass(frozen=True)
class Mismatch:
    """One read that differs: a view before/after the upgrade, or on the two forks."""

    contract: str
    fn: AbiFunction
    args: tuple[Any, ...]
    first: Outcome  # before the upgrade / on the reference fork
    second: Outcome  # after the upgrade / on the upgraded fork


@dataclass(frozen=True)
class Failure:
    kind: FailureKind
    step: int  # index into Trace.steps of the step after which it was seen
    message: str
    mismatches: tuple[Mismatch, ...] = ()


@dataclass
class Trace:
    steps: list[Step] = field(default_factory=list)
    failure: Failure | None = None

    @property
    def calls(self) -> list[Call]:
        return [s.call for s in self.steps if s.call is not None]

    @property
    def upgrade_at(self) -> int | None:
        """How many calls ran before the upgrade (None: it has not happened)."""
        n = 0
        for s in self.steps:
            if s.call is None:
                return n
            n += 1
        return None

    def fail(self, kind: FailureKind, message: str, mismatches: tuple[Mismatch, ...] = ()) -> None:
        self.failure = Failure(kind, len(self.steps) - 1, message, mismatches)
