"""Property-based upgrade tests (`upgrader fuzz`): random call sequences against the recorded
proxies on a fork, the plan's batch executed through the Safe at a random step, every result
compared with a fork where the upgrade never happens.

The public API, for a team's invariants file and its own hypothesis tests:

    import upgrader.fuzz
    from upgrader.fuzz import abi_value, invariant, Handle

    @upgrader.fuzz.invariant
    def total_is_backed(h: Handle): ...

    @given(amount=abi_value("uint96"))          # strategies per ABI type
    def test_quote(upgrader_fork, amount): ...  # fixtures: upgrader.fuzz.plugin (pytest11 entry point)

Modules: ``abi`` (functions of an ABI), ``strategies`` (hypothesis strategies), ``pool``
(values seen in an example), ``target`` (what is fuzzed), ``engine/`` (Anvil and pyrevm behind
one seam), ``upgrade`` (the batch through ``sim.runner``), ``runner`` (the differential
oracle), ``search`` (hypothesis drives it), ``session`` (the forks), ``invariants``,
``example/`` (``trace``: what one example did; ``render``: for a reader; ``replay``: example
files), ``stage`` (the command as a library call), ``fork`` (a session a team's tests drive),
``plugin`` (pytest)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

# name -> module: imported on first use, so that loading the pytest plugin (every pytest run
# where upgrader is installed) costs nothing until a test asks for a fixture or a strategy
_EXPORTS = {
    "invariant": "invariants", "Handle": "invariants", "CallReverted": "invariants",
    "abi_value": "strategies", "abstract_value": "strategies", "call_strategy": "strategies", "draws": "strategies",
    "system_draws": "strategies", "UpgradeFork": "fork", "Example": "fork",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"upgrader.fuzz.{module}"), name)
