"""Option ranges are checked when the command line is read (issue 22, points 2 and 4): a
negative interval, nonce, block or wait is one line naming the option and the range, exit 2,
before anything runs (was a ValueError traceback for `watch --interval -3`, "already used"
for `propose --nonce -1`)."""

from __future__ import annotations

import pytest
from faults_helpers import one_error_line
from typer.testing import CliRunner

CASES = [
    (["watch", "--interval", "-3"], "--interval: -3.0 is out of range, give one of at least 0.1"),
    (["watch", "--max-head-age", "0"], "--max-head-age: 0.0 is out of range"),
    (["watch", "--from-block", "-1"], "--from-block: -1 is out of range, give one of at least 0"),
    (["propose", "plan.json", "--nonce", "-1"], "--nonce: -1 is out of range, give one of at least 0"),
    (["review", "0x" + "ab" * 32, "--nonce", "-2"], "--nonce: -2 is out of range"),
    (["sync", "--from-block", "-5"], "--from-block: -5 is out of range"),
    (["simulate", "plan.json", "--fork-block", "-1"], "--fork-block: -1 is out of range"),
    (["execute", "0x" + "ab" * 32, "--wait", "-1"], "--wait: -1.0 is out of range"),
    (["safe", "create", "--network", "local", "--owners", "0x" + "11" * 20, "--threshold", "0"], "--threshold: 0 is out of range"),
]


@pytest.mark.parametrize("args, expect", CASES, ids=[" ".join(a[:1] + a[-2:-1]) for a, _ in CASES])
def test_out_of_range_option_is_one_line(args, expect, tmp_path):
    from upgrader.cli.main import app

    result = CliRunner().invoke(app, args, env={"UPGRADER_DEPLOYMENTS": str(tmp_path), "NO_COLOR": "1", "COLUMNS": "200"})
    assert result.exit_code == 2, (result.stdout, result.stderr)
    line = one_error_line(result.stderr)
    assert expect in line and f"see `upgrader {args[0]}" in line, line
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == [], "something was written"
