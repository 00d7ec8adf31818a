"""A Safe service that answers after 12 s must not hold a command past its deadline
(`--deadline`, default 20 s): it ends with exit 2 and one line, nothing proposed or written."""

from __future__ import annotations

import time

import pytest
from faults_helpers import assert_fails, simulated_plan

pytestmark = pytest.mark.chain


def test_slow_service_propose_ends_at_its_deadline(cli, service):
    path, plan = simulated_plan(cli)
    before = cli.files()
    warm = cli.run("propose", str(path), "--sender", "nobody-at-all")  # ape's accounts load once per process
    assert warm.exit_code == 2
    service.service.inject(status=None, count=1000, delay_s=12)
    started = time.monotonic()
    result = cli.run("propose", str(path), "--deadline", "3")
    elapsed = time.monotonic() - started
    line = assert_fails(result, 2, "the command's deadline is 3 s")
    assert "re-run" in line
    assert elapsed < 9, f"propose took {elapsed:.1f} s against a 3 s deadline"
    assert cli.files() == before


def test_default_deadline_is_below_the_old_32_s():
    from upgrader.cli.safe.service import DEFAULT_DEADLINE_S

    assert DEFAULT_DEADLINE_S <= 20
