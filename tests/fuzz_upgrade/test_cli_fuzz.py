"""`upgrader fuzz` at its edges: bad input is exit 2 with one line (and the JSON error), a
saved example that was edited is refused, a changed list that names no function is refused,
and the team's invariants run on both forks with a read-only handle."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.chain


def _one_line(result) -> str:
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error: "), (result.exit_code, result.stderr)
    return lines[0]


@pytest.mark.parametrize("args, says", [
    (["--engine", "evm"], "neither revm nor anvil"),
    (["--steps", "0"], "--steps"),
    (["--replay", "/nonexistent/example.json"], "no fuzz example"),
    (["--plan", "/nonexistent/plan.json"], "no plan"),
])
def test_bad_input_is_one_line(fuzz_project, args, says) -> None:
    assert says in _one_line(fuzz_project.run("fuzz", *args))


def test_an_edited_example_is_refused(fuzz_project) -> None:
    fuzz_project.target("RentVault", "RentVaultWrongSlot")
    path = fuzz_project.run_json("fuzz", "--seed", "1", code=1)["example"]
    data = json.loads(open(path).read())
    data["upgrade_at"] += 1
    open(path, "w").write(json.dumps(data))
    assert "does not match its own hash" in _one_line(fuzz_project.run("fuzz", "--replay", path))


def test_a_changed_signature_no_version_has_is_refused(fuzz_project) -> None:
    fuzz_project.target("RentVault", "RentVaultV2")
    import yaml

    path = fuzz_project.root / "ape-config.yaml"
    config = yaml.safe_load(path.read_text())
    config["upgrader"]["modules"]["RentVault"]["fuzz"] = {"changed": ["version()", "fee(uint256)"]}
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    assert "fee(uint256)" in _one_line(fuzz_project.run("fuzz", "--examples", "5"))


INVARIANTS = '''
import upgrader.fuzz

@upgrader.fuzz.invariant
def escrow_is_backed(h):
    vault = h.address("RentVault")
    assert h.call("RentVault", "totalEscrowed()") <= h.call("MockERC20", "balanceOf(address)", vault)

@upgrader.fuzz.invariant
def no_late_fee_after_the_upgrade(h):
    # false on purpose once V2 runs: initializeV2 sets 500
    return not h.upgraded or h.call("RentVault", "lateFeeBps()") == 0

@upgrader.fuzz.invariant
def handle_is_read_only(h):
    before = h.call("PropertyRegistry", "propertyCount()")
    h.call("MockERC20", "mint(address,uint256)", h.actors[0], 1)  # runs as eth_call: nothing stays
    assert h.call("MockERC20", "balanceOf(address)", h.actors[0]) == h.call("MockERC20", "balanceOf(address)", h.actors[0])
    assert h.call("PropertyRegistry", "propertyCount()") == before and h.step >= 0
'''


def test_team_invariants_run_after_every_step(fuzz_project) -> None:
    (fuzz_project.root / "tests").mkdir(exist_ok=True)
    (fuzz_project.root / "tests" / "upgrade_invariants.py").write_text(INVARIANTS)
    fuzz_project.target("RentVault", "RentVaultV2", fuzz={"invariants": "tests/upgrade_invariants.py"})
    found = fuzz_project.run_json("fuzz", "--seed", "1", "--examples", "50", code=1)
    failure = found["trace"]["failure"]
    assert failure["kind"] == "invariant" and "no_late_fee_after_the_upgrade" in failure["message"], failure
    assert "upgraded fork" in failure["message"]
    assert [s for s in found["trace"]["steps"] if "upgrade" not in s] == []  # shrunk to the upgrade alone
