"""`upgrader fuzz` finds behavioural bugs no layout check sees, on the demo system deployed
with state: a V2 whose view rounds, one that reads a preserved mapping through a wrong slot in
inline assembly, one whose reinitializer wipes a balance. Each is found with --seed 1, shrunk
to at most 5 calls, saved, and replayed; the demo's real V2 passes 200 examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.chain

PLANTED = {  # contract -> the failure the oracle must report
    # a deposit of an amount not a multiple of 1e12 after the upgrade, or before it (then the
    # rounded balance reads differently across the upgrade)
    "RentVaultRounding": {"state-diverged", "divergence", "view-changed"},
    "RentVaultWrongSlot": {"view-changed"},
    "RentVaultReinit": {"view-changed"},
}


def test_planted_bugs_pass_the_checker(fuzz_fixture) -> None:
    from upgrader.check.verdict import upgrade_verdict

    recorded = fuzz_fixture.manifest.proxy("RentVault").implementation.storage_layout
    for name in [*PLANTED, "RentVaultV2"]:
        verdict = upgrade_verdict(recorded, fuzz_fixture.build, name)
        assert verdict["ok"], (name, verdict)


@pytest.mark.parametrize("contract", sorted(PLANTED))
def test_fuzz_finds_and_shrinks_the_planted_bug(fuzz_project, contract: str) -> None:
    fuzz_project.target("RentVault", contract)
    found = fuzz_project.run_json("fuzz", "--seed", "1", code=1)
    trace = found["trace"]
    assert found["ok"] is False and trace["failure"]["kind"] in PLANTED[contract], trace["failure"]
    calls = [s for s in trace["steps"] if "upgrade" not in s]
    assert len(calls) <= 5, calls
    assert found["confirmed_on"] == "anvil", found  # pyrevm found it, the reference engine reproduced it
    example = Path(found["example"])
    assert example.parent == fuzz_project.deployments / "local" / "fuzz"
    saved = json.loads(example.read_text())
    assert example.name == saved["hash"] + ".json" and len(saved["calls"]) == len(calls)
    again = fuzz_project.run_json("fuzz", "--replay", str(example), code=1)
    assert again["trace"]["failure"]["kind"] == trace["failure"]["kind"]
    assert [s.get("function") for s in again["trace"]["steps"]] == [s.get("function") for s in trace["steps"]]


@pytest.mark.parametrize("seed", [2, 3])
def test_the_rounding_bug_is_found_under_other_seeds(fuzz_project, seed: int) -> None:
    """Not one lucky seed: the search needs the right sender (a tenant, a landlord), an existing
    id and an amount that is not round, and finds them in well under the default 1000 examples
    (about 150-300 on the demo state with seeds 1-8)."""
    fuzz_project.target("RentVault", "RentVaultRounding")
    found = fuzz_project.run_json("fuzz", "--seed", str(seed), "--examples", "600", code=1)
    assert found["trace"]["failure"]["kind"] in PLANTED["RentVaultRounding"], found["trace"]["failure"]
    assert len([s for s in found["trace"]["steps"] if "upgrade" not in s]) <= 5


def test_a_fixed_v2_passes_the_saved_example(fuzz_project) -> None:
    fuzz_project.target("RentVault", "RentVaultWrongSlot")
    example = fuzz_project.run_json("fuzz", "--seed", "1", code=1)["example"]
    fuzz_project.target("RentVault", "RentVaultV2")  # the team fixes V2: a new plan, the same calls
    passed = fuzz_project.run_json("fuzz", "--replay", example, code=0)
    assert passed["ok"] is True and passed["trace"]["failure"] is None


def test_the_demo_v2_passes_200_examples(fuzz_project) -> None:
    report = fuzz_project.run_json("fuzz", "--seed", "1", "--examples", "200", code=0)
    assert report["examples"] == 200 and report["calls"] > 200 and report["example"] is None
