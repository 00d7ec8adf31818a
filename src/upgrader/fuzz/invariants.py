"""A team's invariants: a Python file (``fuzz.invariants`` in the settings) whose functions are
marked ``@upgrader.fuzz.invariant`` take a read-only ``Handle`` on one fork and fail by raising
(an ``assert``) or by returning False. They run after every step on both forks.

    import upgrader.fuzz

    @upgrader.fuzz.invariant
    def vault_holds_what_it_owes(h):
        assert h.call("RentVault", "totalEscrowed()") <= h.call("MockERC20", "balanceOf(address)", h.address("RentVault"))
"""

from __future__ import annotations

import importlib.util
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from upgrader.errors import InputError
from upgrader.fuzz.engine import Engine, view
from upgrader.fuzz.target import Target
from upgrader.fuzz.example.trace import Trace

_MARK = "__upgrader_fuzz_invariant__"
Invariant = Callable[["Handle"], Any]


def invariant(fn: Invariant) -> Invariant:
    """Mark ``fn(handle)`` as an invariant of the upgrade."""
    setattr(fn, _MARK, True)
    return fn


class CallReverted(Exception):
    """A call made through the handle reverted; its revert data is ``data``."""

    def __init__(self, what: str, data: bytes) -> None:
        super().__init__(f"{what} reverted (0x{data.hex()})")
        self.data = data


@dataclass
class Handle:
    """What an invariant may read of one fork: calls (as ``eth_call``: nothing they do stays),
    storage, balances, and where the example is."""

    fork: str  # "upgraded" (the fork that runs the plan's batch) or "reference" (never upgraded)
    engine: Engine
    target: Target
    step: int  # calls made so far in this example
    upgrade_step: int | None  # calls made before the upgrade; None while it has not happened
    actors: tuple[str, ...] = ()  # the senders the fuzzer draws from

    @property
    def upgraded(self) -> bool:
        """Whether this fork runs the new versions now."""
        return self.fork == "upgraded" and self.upgrade_step is not None

    def address(self, name: str) -> str:
        return self.target.contract(name).address

    def call(self, contract: str, signature: str, *args: Any) -> Any:
        """Call ``signature`` (e.g. ``"balanceOf(uint256)"``) on a contract of the system by
        name; the decoded result (one value unwrapped). Raises ``CallReverted``."""
        c = self.target.contract(contract)
        wanted = signature.replace(" ", "")
        functions = c.after if self.upgraded else c.before
        fn = next((f for f in functions.values() if f.signature == wanted), None)
        if fn is None:
            raise InputError(f"invariant: {contract} has no function {wanted} in the version this fork runs")
        out = view(self.engine, c.address, fn.encode(args))
        if not out.ok:
            raise CallReverted(f"{contract}.{wanted}", out.data)
        values = fn.decode_output(out.data) or ()
        return values[0] if len(values) == 1 else values

    def storage(self, contract_or_address: str, slot: int) -> int:
        address = contract_or_address if contract_or_address.startswith("0x") else self.address(contract_or_address)
        return self.engine.storage(address, slot)

    def balance(self, address: str) -> int:
        """Wei held by ``address`` (a contract name works too)."""
        return self.engine.balance(address if address.startswith("0x") else self.address(address))


def load(path: Path) -> list[Invariant]:
    """The marked functions of the file at ``path``, in the file's order."""
    if not path.is_file():
        raise InputError(f"fuzz.invariants: no file at {path}; fix the path (relative to the project) or remove the setting")
    spec = importlib.util.spec_from_file_location(f"upgrader_invariants_{abs(hash(str(path)))}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise InputError(f"fuzz.invariants: {path} fails to load: {type(exc).__name__}: {exc}") from None
    found = [v for v in vars(module).values() if callable(v) and getattr(v, _MARK, False)]
    if not found:
        raise InputError(f"fuzz.invariants: {path} has no function marked @upgrader.fuzz.invariant")
    return found


def checker(invariants: list[Invariant], target: Target, actors: tuple[str, ...]) -> Callable[[str, Engine, Trace], str | None]:
    """The runner's per-step check: the first invariant that fails, as a message."""

    def check(fork: str, engine: Engine, trace: Trace) -> str | None:
        handle = Handle(fork, engine, target, len(trace.calls), trace.upgrade_at, actors)
        for inv in invariants:
            try:
                ok = inv(handle)
            except AssertionError as exc:
                return f"invariant {inv.__name__} failed: {exc or 'assertion'}"
            except Exception as exc:  # a call that reverted, a bug in the invariant: a failure either way
                where = traceback.extract_tb(exc.__traceback__)[-1]
                return f"invariant {inv.__name__} raised {type(exc).__name__}: {exc} (line {where.lineno})"
            if ok is False:
                return f"invariant {inv.__name__} returned False"
        return None

    return check
