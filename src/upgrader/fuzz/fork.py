"""A fuzzing session as an object a team's own tests drive: the two forks (one runs the plan's
batch through the Safe, one never upgrades), the system's contracts and the values seen, the
differential runner of `upgrader fuzz`. The pytest plugin's ``upgrader_fork`` is one of these.

    @given(data=st.data())
    def test_v2_behaves_as_v1(upgrader_fork, data):
        upgrader_fork.assert_agrees(data.draw(upgrader_fork.examples()))

    @given(amount=upgrader.fuzz.abi_value("uint96"))
    def test_quote(upgrader_fork, amount):
        upgrader_fork.reset()
        before = upgrader_fork.view("Vault", "quote(uint256)", amount)
        upgrader_fork.upgrade()
        assert upgrader_fork.view("Vault", "quote(uint256)", amount) == before

Every example starts from the same state: ``run``/``assert_agrees`` reset the forks themselves;
a hand-written example calls ``reset()`` first (the fixture lives for the session, since a
fork takes a second or two to open)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from upgrader.errors import InputError
from upgrader.fuzz.abi import AbiFunction
from upgrader.fuzz.engine import Engine, Outcome
from upgrader.fuzz.invariants import CallReverted, Handle
from upgrader.fuzz.runner import Runner
from upgrader.fuzz.session import Session
from upgrader.fuzz.strategies import Draw, system_draws
from upgrader.fuzz.target import Contract
from upgrader.fuzz.example.trace import Trace

ForkName = Literal["upgraded", "reference"]


@dataclass(frozen=True)
class Example:
    """Calls drawn before the upgrade and after it (each list shrinks on its own)."""

    before: tuple[Draw, ...]
    after: tuple[Draw, ...]


class UpgradeFork:
    def __init__(self, session: Session, runner: Runner) -> None:
        self.session, self.runner = session, runner
        self.target, self.pool = session.target, session.pool
        self._upgraded = False

    @property
    def upgraded(self) -> Engine:
        """The fork that runs the plan's batch (at ``upgrade()``, or at an example's step)."""
        return self.session.pair.upgraded

    @property
    def reference(self) -> Engine:
        """The fork that never upgrades."""
        return self.session.pair.reference

    # -- whole examples, as `upgrader fuzz` runs them -------------------------------------------

    def examples(self, steps: int = 20) -> Any:
        """A hypothesis strategy of ``Example``: up to ``steps`` calls of the system's functions
        (arguments from the ABIs and the values seen), the upgrade between the two halves."""
        from hypothesis import strategies as st

        half = st.lists(system_draws(self.target), max_size=max(1, steps // 2)).map(tuple)
        return st.builds(Example, half, half)

    def run(self, example: Example) -> Trace:
        """Run ``example`` on both forks from the start state, with every check of the
        differential oracle (and the project's invariants); the trace carries any failure."""
        trace = self.runner.run([*example.before, *example.after], len(example.before))
        self._upgraded = trace.upgrade_at is not None
        return trace

    def assert_agrees(self, example: Example) -> Trace:
        """``run``, failing the test with the numbered calls and both forks' results on a divergence."""
        from upgrader.fuzz.example.render import lines

        trace = self.run(example)
        if trace.failure is not None:
            raise AssertionError("\n".join(["the upgrade changes behaviour:", *lines(trace)]))
        return trace

    # -- hand-written examples ------------------------------------------------------------------

    def reset(self) -> None:
        """Both forks back to the start state (no upgrade, the funded actors, the chain's own state)."""
        self.session.pair.reset()
        self._upgraded = False

    def upgrade(self) -> dict[str, Any]:
        """Execute the plan's batch through the Safe on the upgraded fork (the reference fork mines
        as many blocks); fails the test when the batch fails. The runner's execution record."""
        if self._upgraded:
            raise InputError("upgrader_fork.upgrade(): already upgraded since the last reset()")
        start = self.upgraded.block()[0]
        execution = self.runner.upgrade.run(self.upgraded)
        self.reference.mine(self.upgraded.block()[0] - start)
        if not execution["ok"]:
            raise AssertionError(f"the plan's batch failed through the Safe: {execution['revert']}")
        self._upgraded = True
        return execution

    def view(self, contract: str, signature: str, *args: Any, fork: ForkName = "upgraded") -> Any:
        """A read of ``contract`` (a name of the system) on one fork, decoded (one value unwrapped),
        by the version that fork runs now. Raises ``CallReverted``."""
        return self.handle(fork).call(contract, signature, *args)

    def transact(self, contract: str, signature: str, *args: Any, sender: str | None = None,
                 value: int = 0) -> tuple[Outcome, Outcome]:
        """Send one call to both forks (from ``sender``, default the first actor); the outcomes
        on the upgraded fork and on the reference fork, to compare as the test sees fit."""
        c = self.target.contract(contract)
        fn = self._function(c, signature)
        sender = sender or self.actors[0]
        data = fn.encode(args)
        return (self.upgraded.transact(sender, c.address, data, value),
                self.reference.transact(sender, c.address, data, value))

    def handle(self, fork: ForkName = "upgraded") -> Handle:
        """The read-only handle an invariant gets (calls, storage, balances) on one fork."""
        engine = self.upgraded if fork == "upgraded" else self.reference
        return Handle(fork, engine, self.target, 0, 0 if self._upgraded else None, self.actors)

    @property
    def actors(self) -> tuple[str, ...]:
        """The funded senders (accounts the system knows, then fresh ones)."""
        return tuple(self.pool.values["actor"])

    def address(self, contract: str) -> str:
        return self.target.contract(contract).address

    def _function(self, c: Contract, signature: str) -> AbiFunction:
        wanted = signature.replace(" ", "")
        for fn in (*c.after.values(), *c.before.values()):
            if fn.signature == wanted:
                return fn
        raise InputError(f"{c.name} has no function {wanted} in either version")


__all__ = ["UpgradeFork", "Example", "CallReverted"]
