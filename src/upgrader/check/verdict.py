"""The checker's verdict on replacing a deployed implementation (its recorded layout) with
a contract from the current build: layout comparison plus unsafe-pattern validation."""

from __future__ import annotations

from typing import Any

from upgrader.errors import InputError


def upgrade_verdict(
    stored_layout: dict[str, Any], build_info: dict[str, Any], target_fqn: str, unsafe_allow: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Same shape as one entry of ``upgrader check --json``'s ``contracts`` list."""
    from upgrader.check.engine import compare_with_stored

    try:
        return compare_with_stored(stored_layout, build_info, target_fqn, unsafe_allow).to_json()
    except (ValueError, KeyError) as exc:
        raise InputError(f"the manifest's recorded storage layout is unreadable ({exc}); re-record the deployment") from None
