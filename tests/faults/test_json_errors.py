"""On an error with --json, stdout holds {"error": {"kind", "message"}} and the exit code stays,
for every command; stderr keeps its one line."""

from __future__ import annotations

import json

import pytest
from faults_helpers import one_error_line, planned
from simulated import simulation_report_for_cli

pytestmark = pytest.mark.chain

HASH = "0x" + "12" * 32
CASES = {
    "check": ["check", "--build-info", "/nonexistent/build-info", "--json"],
    "layout-show": ["layout", "show", "NoSuchContract", "--json"],
    "layout-diff": ["layout", "diff", "NoSuchContract", "RentVaultV2", "--json"],
    "status": ["status", "--network", "nowhere", "--json"],
    "plan": ["plan", "--only", "NoSuchProxy", "--json"],
    "simulate": ["simulate", "/nonexistent/plan.json", "--json"],
    "propose": ["propose", "/nonexistent/plan.json", "--json"],
    "confirm": ["confirm", "0xnot-a-hash", "--sender", "0", "--json"],
    "execute": ["execute", HASH, "--network", "nowhere", "--json"],
    "review": ["review", "/nonexistent/batch.json", "--offline", "--json"],
    "safe-hash": ["safe-hash", "--chain-id", "x", "--safe", "0x1", "--to", "0x2", "--nonce", "0", "--json"],
}


def assert_json_error(code: int, stdout: str, stderr: str, expect_code: int, kind: str) -> dict:
    assert code == expect_code, f"exit {code}\n{stdout}\n{stderr}"
    error = json.loads(stdout)["error"]
    assert error["kind"] == kind
    assert one_error_line(stderr) == f"error: {error['message']}"
    return error


@pytest.mark.parametrize("name", sorted(CASES))
def test_input_error_as_json(cli, name):
    result = cli.run(*CASES[name])
    assert_json_error(result.exit_code, result.stdout, result.stderr, 2, "input")


def test_without_json_stdout_stays_empty(cli):
    result = cli.run("status", "--network", "nowhere")
    assert result.exit_code == 2 and result.stdout == ""
    one_error_line(result.stderr)


def test_quick_lane_check_error_as_json(cli):
    proc = cli.spawn("check", "--build-info", "/nonexistent/build-info", "--json")
    out, err = proc.communicate(timeout=60)
    assert_json_error(proc.returncode, out, err, 2, "input")


def test_unsafe_error_as_json(cli):
    path, plan = planned(cli)
    simulation_report_for_cli(cli, path, plan, ok=False)
    result = cli.run("propose", str(path), "--json")
    error = assert_json_error(result.exit_code, result.stdout, result.stderr, 1, "unsafe")
    assert "simulation" in error["message"]
