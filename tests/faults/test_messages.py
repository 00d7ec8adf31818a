"""Messages that must say what happened (issue 12, "messages that mislead")."""

from __future__ import annotations

import json

import pytest
from faults_helpers import assert_fails, planned
from simulated import simulation_report_for_cli

pytestmark = pytest.mark.chain


def test_skip_simulation_after_a_failed_simulation_says_it_failed(cli, service):
    path, plan = planned(cli)
    simulation_report_for_cli(cli, path, plan, ok=False)
    result = cli.run("propose", str(path), "--skip-simulation", "--accept-red", "proposed to be rejected", "--json")
    assert result.exit_code == 0, result.stderr
    assert "FAILED its simulation" in result.stderr and "NOT executed on a fork" not in result.stderr
    review = (cli.folder / "proposals" / f"{json.loads(result.stdout)['safe_tx_hash']}.review.md").read_text()
    assert "FAILED its simulation" in review and "never executed on a fork" not in review


def test_propose_summary_after_a_failed_simulation_names_its_failed_checks(cli, service):
    # the human summary said "simulation skipped" while a failed report of this plan existed
    path, plan = planned(cli)
    report = json.loads(simulation_report_for_cli(cli, path, plan, ok=False).read_text())
    failed = [c["name"] for c in report["checks"] if not c["ok"]]
    result = cli.run("propose", str(path), "--skip-simulation", "--accept-red", "proposed to be rejected")
    assert result.exit_code == 0, result.stderr
    summary = next(ln for ln in result.stdout.splitlines() if "proposed by" in ln)
    assert f"simulation FAILED ({', '.join(failed)})" in summary and "skipped" not in summary, result.stdout
    assert f"failed: {', '.join(failed)}" in result.stderr  # the warning names them too
    again = cli.run("propose", str(path), "--skip-simulation", "--accept-red", "proposed to be rejected", "--json")
    out = json.loads(again.stdout)
    assert out["simulation"] == "failed" and out["simulation_failed_checks"] == failed, out


def test_skip_simulation_without_one_says_it_never_ran(cli, service):
    path, _ = planned(cli)
    result = cli.run("propose", str(path), "--skip-simulation", "--accept-red", "proposed to be rejected", "--json")
    assert result.exit_code == 0, result.stderr
    assert "NOT executed on a fork" in result.stderr


@pytest.mark.parametrize("command", ["confirm", "execute"])
def test_unreachable_service_does_not_say_nothing_was_proposed(cli, command):
    args = [command, "0x" + "ab" * 32, "--tx-service", "http://127.0.0.1:9", "--deadline", "3"]
    if command == "confirm":
        args += ["--sender", "0"]
    result = cli.run(*args)
    line = assert_fails(result, 2, "127.0.0.1:9")
    assert "proposed" not in line


def test_simulate_when_the_safe_now_needs_more_signatures_is_a_failed_check_not_a_traceback(cli):
    # the threshold rose after planning: execTransaction reverts at gas estimation (GS020)
    path, plan = planned(cli)
    report = json.loads(simulation_report_for_cli(cli, path, plan, ok=False).read_text())
    failed = [c for c in report["checks"] if not c["ok"]]
    assert [c["name"] for c in failed] == ["safe-execution"] and "GS020" in failed[0]["detail"], failed
