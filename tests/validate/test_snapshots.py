"""Committed, readable explanations of every fixture file's findings.

Regenerate after an intended change with ``UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/validate``
and review the diff."""

from __future__ import annotations

import os
from typing import Any

import pytest

from upgrader.validate import explain, validate_contract

from .conftest import FIXTURES, SNAPSHOTS, unit_of


def render(build_info: dict[str, Any], contracts: list[str], unit: str) -> str:
    blocks = [explain(c, validate_contract(build_info, c)) for c in contracts if c.startswith(unit + ":")]
    return "\n".join(blocks) + "\n"


@pytest.mark.parametrize("source", sorted(p.name for p in FIXTURES.glob("*.sol")))
def test_snapshot(build_info: dict[str, Any], fixture_contracts: list[str], source: str) -> None:
    text = render(build_info, fixture_contracts, unit_of(FIXTURES / source))
    snapshot = SNAPSHOTS / source.replace(".sol", ".txt")
    if os.environ.get("UPDATE_SNAPSHOTS"):
        snapshot.write_text(text)
    assert snapshot.is_file(), f"no snapshot {snapshot.name}; run with UPDATE_SNAPSHOTS=1"
    assert text == snapshot.read_text()
