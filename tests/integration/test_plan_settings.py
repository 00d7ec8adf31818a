"""Issue 21, point 5: the plan records what of the settings decides its verdicts (smoke calls,
the validation kinds allowed per module) and its hash covers them; a plan edited, or made
under other settings, is refused in one line (exit 2); a reinitializer naming no function of
the target, and a plan of several calls with no MultiSendCallOnly recorded, are one line too."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from integration_helpers import assert_bad_input, edit_manifest

pytestmark = pytest.mark.chain

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def edit_modules(fixture_root: Path):
    """Call with a function editing ``upgrader.modules`` of the fixture project's settings."""
    def edit(change: Callable[[dict[str, Any]], None]) -> None:
        config = yaml.safe_load((fixture_root / "ape-config.yaml").read_text())
        change(config["upgrader"]["modules"])
        (fixture_root / "ape-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))

    yield edit
    shutil.copy(ROOT / "ape-config.yaml", fixture_root / "ape-config.yaml")


def _plan(cli: Any) -> tuple[dict[str, Any], Path]:
    made = cli.run("plan", "--json")
    assert made.exit_code == 0, made.stderr
    data = json.loads(made.stdout)
    return data["plan"], Path(data["path"])


def test_the_plan_records_smoke_calls_and_allowances_per_module(cli, edit_modules):
    edit_modules(lambda m: m["RentVault"].update(unsafe_allow=["delegatecall"]))
    plan, _ = _plan(cli)
    by = {u["proxy"]: u for u in plan["upgrades"]}
    assert by["RentVault"]["smoke"] == [{"function": "version", "args": [], "expect": "2.0.0"},
                                        {"function": "lateFeeBps", "args": [], "expect": 500},
                                        {"function": "gracePeriod", "args": [], "expect": 259200}]
    assert by["RentVault"]["unsafe_allow"] == ["delegatecall"] and by["PropertyRegistry"]["unsafe_allow"] == []
    again, _ = _plan(cli)  # --unsafe-allow adds to the module's kinds, at plan time
    made = cli.run("plan", "--json", "--unsafe-allow", "selfdestruct")
    assert made.exit_code == 0, made.stderr
    widened = {u["proxy"]: u for u in json.loads(made.stdout)["plan"]["upgrades"]}
    assert widened["RentVault"]["unsafe_allow"] == ["delegatecall", "selfdestruct"]
    assert json.loads(made.stdout)["plan_hash"] != again["plan_hash"]  # the hash covers the allowances


def test_editing_a_plans_smoke_calls_invalidates_it(cli, fork_spy):
    _, path = _plan(cli)
    data = json.loads(path.read_text())
    data["upgrades"][-1]["smoke"][1]["expect"] = 1  # a failing expectation turned into a pass, or the reverse
    path.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n")
    result = cli.run("simulate", str(path))
    assert_bad_input(result, "does not match its own hash")
    assert fork_spy.started == []


def test_a_plan_made_under_other_smoke_calls_is_refused(cli, edit_modules, fork_spy):
    _, path = _plan(cli)
    edit_modules(lambda m: m["RentVault"]["smoke"].append({"function": "version"}))
    result = cli.run("simulate", str(path), "--json")
    assert_bad_input(result, "smoke changed since")
    assert fork_spy.started == []


def test_a_plan_made_under_other_allowances_is_refused(cli, edit_modules, fork_spy):
    """A validation kind the team stopped allowing does not pass on a plan made while it was allowed."""
    edit_modules(lambda m: m["RentVault"].update(unsafe_allow=["delegatecall"]))
    _, path = _plan(cli)
    edit_modules(lambda m: m["RentVault"].update(unsafe_allow=[]))
    line = assert_bad_input(cli.run("simulate", str(path), "--json"), "unsafe_allow changed since")
    assert "the plan allows [delegatecall], the settings now []" in line, line
    assert fork_spy.started == []


def test_a_plans_command_line_allowances_are_not_a_change_of_settings(cli, edit_modules):
    """`plan --unsafe-allow K` records K apart from the settings' kinds: its simulation runs; and a
    later edit of the settings is still seen beside it."""
    made = cli.run("plan", "--json", "--unsafe-allow", "selfdestruct")
    assert made.exit_code == 0, made.stderr
    answer = json.loads(made.stdout)
    assert answer["plan"]["unsafe_allow_command_line"] == ["selfdestruct"]
    assert {u["proxy"]: u["unsafe_allow"] for u in answer["plan"]["upgrades"]}["RentVault"] == ["selfdestruct"]
    simulated = cli.run("simulate", answer["path"], "--json")
    assert simulated.exit_code == 0, simulated.stdout[-2000:] + simulated.stderr
    edit_modules(lambda m: m["RentVault"].update(unsafe_allow=["delegatecall"]))
    line = assert_bad_input(cli.run("simulate", answer["path"]), "unsafe_allow changed since")
    assert "the settings now [delegatecall] and the plan's --unsafe-allow [selfdestruct]" in line, line


def test_a_missing_reinitializer_is_one_line(cli, edit_modules):
    edit_modules(lambda m: m["RentVault"].update(reinitializer={"function": "initializeV9", "args": [1]}))
    result = cli.run("plan")
    line = assert_bad_input(result, "RentVaultV2 has no function 'initializeV9'")
    assert "initializeV2" in line and "ABI Not Found" not in line


def test_reinitializer_arguments_that_do_not_fit_are_one_line(cli, edit_modules):
    edit_modules(lambda m: m["RentVault"].update(reinitializer={"function": "initializeV2", "args": ["x"]}))
    assert_bad_input(cli.run("plan"), "it takes (uint16, uint32)")


def test_a_plan_of_several_calls_without_a_multisend_is_refused(cli):
    edit_manifest(cli.manifest_path, lambda m: m["safe"].update(multisend_call_only=None))
    before = cli.files()
    result = cli.run("plan", "--json")
    assert_bad_input(result, "--multisend")
    assert cli.files() == before
