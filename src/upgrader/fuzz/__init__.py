"""Property-based upgrade tests (`upgrader fuzz`): random call sequences against the recorded
proxies on a fork, the plan's batch executed through the Safe at a random step, every result
compared with a fork where the upgrade never happens.

The public API, for a team's invariants file and its own hypothesis tests:

    import upgrader.fuzz
    from upgrader.fuzz import abi_value, invariant, Handle

    @upgrader.fuzz.invariant
    def total_is_backed(h: Handle): ...

    @given(amount=abi_value("uint96"))          # strategies per ABI type
    def test_quote(upgrader_fork, amount): ...  # fixtures: upgrader.fuzz.plugin

Modules: ``abi`` (functions of an ABI), ``strategies`` (hypothesis strategies), ``pool``
(values seen in an example), ``target`` (what is fuzzed), ``engine/`` (Anvil and pyrevm behind
one seam), ``upgrade`` (the batch through ``sim.runner``), ``runner`` (the differential
oracle), ``search`` (hypothesis drives it), ``session`` (the forks), ``invariants``,
``replay`` (example files), ``render``, ``stage`` (the command as a library call), ``plugin``
(pytest)."""

from __future__ import annotations

from typing import Any

from upgrader.fuzz.invariants import CallReverted, Handle, invariant

__all__ = ["invariant", "Handle", "CallReverted", "abi_value", "abstract_value", "call_strategy", "draws"]


def __getattr__(name: str) -> Any:
    """The strategies, imported on first use (they import hypothesis)."""
    if name in ("abi_value", "abstract_value", "call_strategy", "draws"):
        from upgrader.fuzz import strategies

        return getattr(strategies, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
