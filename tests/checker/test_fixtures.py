"""Every layout rule through a V1/V2 Solidity pair, with committed snapshots of the explanation.

Regenerate snapshots with ``UPGRADER_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/checker``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checker_fixtures import CASES, EXPECTED
from upgrader.check import check, check_contract
from upgrader.layout.buildset import BuildSet

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("UPGRADER_UPDATE_SNAPSHOTS") == "1"


def fqn(case: str, version: str) -> str:
    return f"tests/checker/fixtures/{case}_{version}.sol:{case}_{version}"


@pytest.mark.parametrize("case", CASES)
def test_layout_verdict_and_snapshot(case: str, fixtures_builds: BuildSet) -> None:
    reference = fixtures_builds.resolve(fixtures_builds.upgrades_from(fqn(case, "V2")) or "")
    assert reference == fqn(case, "V1")
    result = check_contract(fixtures_builds, fqn(case, "V2"), fixtures_builds, reference)
    assert result.ok is EXPECTED[case], result.explain()
    if not result.ok:
        assert all(f.location and f.hint for f in result.errors), result.explain()
    snapshot = SNAPSHOTS / f"{case}.txt"
    text = result.explain() + "\n"
    if UPDATE or not snapshot.exists():
        snapshot.parent.mkdir(exist_ok=True)
        snapshot.write_text(text)
    assert snapshot.read_text() == text


def test_check_discovers_every_annotated_v2_and_no_v1(fixtures_builds: BuildSet) -> None:
    report = check(fixtures_builds)
    checked = {c.contract for c in report.contracts}
    assert {fqn(case, "V2") for case in CASES} <= checked
    assert not any(name.endswith("_V1") for name in checked)
    assert report.ok is False
    assert report.to_json()["ok"] is False


def test_error_points_at_the_inserted_parent_variable(fixtures_builds: BuildSet) -> None:
    result = check_contract(fixtures_builds, fqn("InheritedShift", "V2"), fixtures_builds, fqn("InheritedShift", "V1"))
    (error,) = result.errors
    assert error.kind == "layout-insert"
    assert "`added` in InheritedShift_Parent_V2" in error.message
    assert error.location == "tests/checker/fixtures/InheritedShift_V2.sol:6"


@pytest.mark.parametrize(
    ("case", "hint"),
    [("GapNotShrunk", "Set __gap to 49"), ("GapShrunkTooMuch", "Set __gap to 49"), ("GapGrow", "Set __gap to 50")],
)
def test_gap_hints(case: str, hint: str, fixtures_builds: BuildSet) -> None:
    result = check_contract(fixtures_builds, fqn(case, "V2"), fixtures_builds, fqn(case, "V1"))
    assert [f.hint for f in result.errors] == [hint]
