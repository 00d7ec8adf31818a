"""The differential runner: one sequence of calls on two forks of the same chain, one of which
executes the plan's batch through the Safe (``sim.runner``) at a chosen step and one of which
never upgrades.

The oracle, in order of the checks:
- before the upgrade the forks run the same code on the same state, so every result agrees
  (if not, something outside the system differs: ``forks-disagree``);
- at the upgrade, every view of the version upgraded from (no argument, and keyed by the
  actors, ids and keys seen) reads the same just before and just after (``view-changed``),
  and the batch itself succeeds (``upgrade-failed``);
- after it, every call of a function both versions expose (same selector) gives the same
  result, return data or revert data, on both forks, unless its module declares it changed
  (``divergence``), and at the end of the example every such view reads the same on both
  forks (``state-diverged``);
- the team's invariants hold on both forks after every step (``invariant``).

After the upgrade, a call that changes state and is not compared (a function the module
declares changed, or one only the new version has) and did not revert on both forks ends the
example there: from it the forks may hold different state by design (a raised cap lets a
deposit through that V1 refuses), so later differences would be false alarms."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Callable

from upgrader.fuzz.abi import AbiFunction, name_key
from upgrader.fuzz.engine import Engine
from upgrader.fuzz.pool import Pool, callers, named
from upgrader.fuzz.strategies import Draw, fit_int, resolve
from upgrader.fuzz.target import Contract, Target
from upgrader.fuzz.example.trace import Call, Mismatch, Step, Trace
from upgrader.fuzz.upgrade import Upgrade

KEYS_PER_KIND = 3  # keyed views: this many of each kind of key seen
KEYED_CALLS = 8  # ... and at most this many calls per view
Checker = Callable[[str, Engine, Trace], str | None]  # (fork, engine, trace) -> failure message


@dataclass
class Pair:
    """The two forks and the snapshot each example starts from."""

    upgraded: Engine
    reference: Engine
    snaps: tuple[Any, Any] | None = None

    def mark_base(self) -> None:
        self.snaps = (self.upgraded.snapshot(), self.reference.snapshot())

    def reset(self) -> None:
        assert self.snaps is not None, "mark_base first"
        self.snaps = (self.upgraded.revert(self.snaps[0]), self.reference.revert(self.snaps[1]))


class Runner:
    def __init__(self, target: Target, pair: Pair, pool: Pool, check: Checker | None = None) -> None:
        self.target, self.pair, self.base_pool, self.check = target, pair, pool, check
        self.calls_run = 0
        self.upgrade = Upgrade(target)
        self._encoded: dict[tuple[bytes, tuple[Any, ...]], bytes] = {}

    def run(self, items: list[Draw | Call], upgrade_at: int) -> Trace:
        """Run ``items`` with the upgrade before item ``upgrade_at`` (at the end when it is
        ``len(items)``); stops at the first failure, which the trace carries."""
        self.pair.reset()
        pool, trace = self.base_pool.copy(), Trace()
        upgraded = False
        for i, item in enumerate([*items, None]):
            if i == upgrade_at and not upgraded:
                upgraded = True
                if not self._upgrade(pool, trace) or not self._invariants(trace):
                    return trace
            if item is None:
                break
            call = item if isinstance(item, Call) else self._resolve(item, pool, upgraded)
            if call is None:
                continue
            if not self._call(call, upgraded, pool, trace) or not self._invariants(trace):
                return trace
            if upgraded and _apart_by_design(trace.steps[-1]):
                return trace
        if upgraded and trace.steps[-1].call is not None:  # calls ran after the upgrade: compare the forks' state
            self._final_views(pool, trace)
        return trace

    def _reads(self, reads: list[tuple[Contract, AbiFunction, tuple[Any, ...]]]) -> list[tuple[str, bytes]]:
        """Calldata of each read, encoded once per session (the same keys recur in every example)."""
        out = []
        for c, fn, args in reads:
            key = (fn.selector, args)
            data = self._encoded.get(key)
            if data is None:
                data = self._encoded[key] = fn.encode(args)
            out.append((c.address, data))
        return out

    # -- one call on both forks ----------------------------------------------------------

    def _resolve(self, draw: Draw, pool: Pool, upgraded: bool) -> Call | None:
        contract = self.target.contracts[draw.contract]
        fn = contract.function(draw.selector)
        if contract.only_after(fn) and not upgraded:
            return None  # a function only the new version has: nothing to call yet
        sender = pool.pick(draw.sender.kind, draw.sender.index)
        return Call(contract.name, contract.address, fn, tuple(resolve(list(draw.args), pool)), sender,
                    int(resolve(draw.value, pool)))

    def _call(self, call: Call, upgraded: bool, pool: Pool, trace: Trace) -> bool:
        data = call.data
        a = self.pair.upgraded.transact(call.sender, call.address, data, call.value)
        b = self.pair.reference.transact(call.sender, call.address, data, call.value)
        self.calls_run += 1
        contract = self.target.contract(call.contract)
        compared = not upgraded or contract.compared(call.fn)
        trace.steps.append(Step(call, a, b, upgraded, compared))
        pool.learn_call(call.fn, call.args, call.fn.decode_output(a.data) if a.ok else None)
        pool.learn_logs(a.logs)
        if b.ok and not call.fn.is_view:  # a sender that got through once is tried again
            pool.add(callers(call.address), call.sender)
        if compared and not a.same_result(b):
            if upgraded:
                trace.fail("divergence", f"{call.contract}.{call.fn.signature} gives another result after the upgrade")
            else:
                trace.fail("forks-disagree", f"{call.contract}.{call.fn.signature} differs on two forks that run the same code")
            return False
        return True

    def _invariants(self, trace: Trace) -> bool:
        if self.check is None:
            return True
        for fork, engine in (("upgraded", self.pair.upgraded), ("reference", self.pair.reference)):
            message = self.check(fork, engine, trace)
            if message is not None:
                trace.fail("invariant", f"{message} (on the {fork} fork)")
                return False
        return True

    # -- the upgrade ---------------------------------------------------------------------

    def _upgrade(self, pool: Pool, trace: Trace) -> bool:
        engine = self.pair.upgraded
        reads = [r for c in self.target.upgraded for r in probes(c, c.before, pool, skip=c.changed)]
        calls = self._reads(reads)
        before = engine.views(calls)
        start = engine.block()[0]
        execution = self.upgrade.run(engine)
        self.pair.reference.mine(engine.block()[0] - start)  # both forks keep the same block numbers and times
        trace.steps.append(Step(None, after_upgrade=True, upgrade=execution))
        if not execution["ok"]:
            trace.fail("upgrade-failed", f"the plan's batch failed through the Safe: {execution['revert']}")
            return False
        after = engine.views(calls)
        changed = tuple(Mismatch(c.name, fn, args, x, y) for (c, fn, args), x, y in zip(reads, before, after)
                        if not x.same_result(y))
        if changed:
            first = changed[0]
            trace.fail("view-changed", f"the upgrade changed what {first.contract}.{first.fn.signature} reads", changed)
            return False
        return True

    def _final_views(self, pool: Pool, trace: Trace) -> None:
        reads = [r for c in self.target.contracts
                 for r in probes(c, {s: f for s, f in c.before.items() if c.compared(f)}, pool)]
        calls = self._reads(reads)
        ours, theirs = self.pair.upgraded.views(calls), self.pair.reference.views(calls)
        diverged = tuple(Mismatch(c.name, fn, args, b, a) for (c, fn, args), a, b in zip(reads, ours, theirs)
                         if not a.same_result(b))
        if diverged:
            first = diverged[0]
            trace.fail("state-diverged", f"after the sequence {first.contract}.{first.fn.signature} reads differently", diverged)


def _apart_by_design(step: Step) -> bool:
    """A state-changing call the oracle does not compare, which got through on either fork."""
    assert step.call is not None and step.upgraded is not None and step.reference is not None
    return not step.compared and not step.call.fn.is_view and (step.upgraded.ok or step.reference.ok)


def probes(contract: Contract, functions: dict[bytes, AbiFunction], pool: Pool,
           skip: frozenset[str] = frozenset()) -> list[tuple[Contract, AbiFunction, tuple[Any, ...]]]:
    """The views of ``functions`` worth reading: each no-argument view, and each view of one or
    two keys (address, integer, bytes32, bool) with the keys seen so far."""
    out = []
    for fn in functions.values():
        if not fn.is_view or fn.signature in skip or len(fn.inputs) > 2:
            continue
        choices = [_keys(t, n, pool) for t, n in zip(fn.inputs, fn.input_names or ("",) * len(fn.inputs))]
        if any(c is None for c in choices):
            continue
        for args in itertools.islice(itertools.product(*choices), KEYED_CALLS):  # type: ignore[arg-type]
            out.append((contract, fn, tuple(args)))
    return out


def _keys(abi_type: str, name: str, pool: Pool) -> list[Any] | None:
    """The first keys of a kind the example started with and the first it added (the id a
    registration just returned): an integer parameter is keyed by the values seen under its
    own name when there are any (``balanceOf(propertyId)`` by the property ids)."""
    def first(kind: str) -> list[Any]:
        return pool.of(kind)[:KEYS_PER_KIND] + pool.fresh(kind)[:KEYS_PER_KIND]

    if abi_type == "address":
        return list(dict.fromkeys(first("actor") + first("address"))) or None
    if abi_type.startswith(("uint", "int")):
        kind = named("int", name) if name_key(name) and pool.values.get(named("int", name)) else "int"
        return sorted({fit_int(abi_type, v) for v in [0, 1, *first(kind)]})
    if abi_type == "bytes32":
        return first("key") or [bytes(32)]
    if abi_type == "bool":
        return [False, True]
    return None
