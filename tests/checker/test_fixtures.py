"""Every layout rule through a V1/V2 Solidity pair, with committed snapshots of the explanation.

Regenerate snapshots with ``UPGRADER_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/checker``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checker_fixtures import CASES, EXPECTED, FIXTURES
from upgrader.check.builds import as_check_builds
from upgrader.check.engine import check, check_contract
from upgrader.layout.buildset import BuildSet
from upgrader.check.references import Ref

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("UPGRADER_UPDATE_SNAPSHOTS") == "1"


def fqn(case: str, version: str) -> str:
    return f"tests/checker/fixtures/{case}_{version}.sol:{case}_{version}"


def v1(builds: BuildSet, case: str) -> Ref:
    return Ref(builds, fqn(case, "V1"), fqn(case, "V1"))


@pytest.mark.parametrize("case", CASES)
def test_layout_verdict_and_snapshot(case: str, fixtures_builds: BuildSet) -> None:
    facts = as_check_builds(fixtures_builds)
    reference = facts.resolve(facts.annotation(fqn(case, "V2"))[1] or "")
    assert reference == fqn(case, "V1")
    result = check_contract(fixtures_builds, fqn(case, "V2"), Ref(fixtures_builds, reference, reference))
    assert result.ok is EXPECTED[case], result.explain()
    if not result.ok:
        assert all(f.location and f.hint for f in result.errors), result.explain()
    snapshot = SNAPSHOTS / f"{case}.txt"
    text = result.explain() + "\n"
    if UPDATE:
        snapshot.parent.mkdir(exist_ok=True)
        snapshot.write_text(text)
    # a missing snapshot is a failure, never written silently: a deleted snapshot must not pass
    assert snapshot.exists(), f"{snapshot.name} is missing; regenerate with UPGRADER_UPDATE_SNAPSHOTS=1 and review it"
    assert snapshot.read_text() == text


def test_every_snapshot_and_fixture_pair_is_a_case() -> None:
    """A case dropped from expected.json leaves its pair unchecked and its snapshot unread:
    the snapshots and the V1/V2 pairs on disk are exactly the cases."""
    snapshots = {p.stem for p in SNAPSHOTS.glob("*.txt")}
    pairs = {p.name.rsplit("_V", 1)[0] for p in FIXTURES.glob("*_V[12].sol")}
    assert snapshots == set(CASES), f"snapshots without a case: {sorted(snapshots - set(CASES))}"
    assert pairs == set(CASES), f"fixture pairs without a case: {sorted(pairs - set(CASES))}"
    assert all((FIXTURES / f"{case}_{v}.sol").is_file() for case in CASES for v in ("V1", "V2"))


def test_check_reports_every_annotated_v2_and_the_v1_it_names(fixtures_builds: BuildSet) -> None:
    report = check(fixtures_builds)
    checked = {c.contract: c for c in report.contracts}
    assert {fqn(case, "V2") for case in CASES} <= set(checked)
    assert {fqn(case, "V1") for case in CASES} <= set(checked)  # references are validated on their own
    assert all(checked[fqn(case, "V1")].reference is None for case in CASES)
    assert report.ok is False
    assert report.to_json()["ok"] is False


def test_error_points_at_the_inserted_parent_variable(fixtures_builds: BuildSet) -> None:
    result = check_contract(fixtures_builds, fqn("InheritedShift", "V2"), v1(fixtures_builds, "InheritedShift"))
    (error,) = result.errors
    assert error.kind == "layout-insert"
    assert "`added` in InheritedShift_Parent_V2" in error.message
    assert error.location == "tests/checker/fixtures/InheritedShift_V2.sol:6"


@pytest.mark.parametrize(
    ("case", "hint"),
    [("GapNotShrunk", "Set __gap to 49"), ("GapShrunkTooMuch", "Set __gap to 49"), ("GapGrow", "Set __gap to 50")],
)
def test_gap_hints(case: str, hint: str, fixtures_builds: BuildSet) -> None:
    result = check_contract(fixtures_builds, fqn(case, "V2"), v1(fixtures_builds, case))
    assert [f.hint for f in result.errors] == [hint]
