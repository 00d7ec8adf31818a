"""`status --check` for cron and CI: exit 1 on anything but in_sync/pending, 0 otherwise."""

from __future__ import annotations

import json

import pytest
from faults_helpers import one_error_line

pytestmark = pytest.mark.chain

NO_CODE = "0x000000000000000000000000000000000000dEaD"


def test_in_sync_and_pending_pass(cli):
    result = cli.run("status", "--check", "--json")
    assert result.exit_code == 0, result.stderr
    assert {p["state"] for p in json.loads(result.stdout)["proxies"]} == {"in_sync", "pending"}


def test_drift_fails(cli):
    def swap(m):
        m["proxies"][2]["implementation"]["address"] = m["proxies"][0]["implementation"]["address"]
    cli.edit_manifest(swap)
    plain = cli.run("status")
    assert plain.exit_code == 0  # without --check status only reports
    result = cli.run("status", "--check")
    assert result.exit_code == 1
    assert "drift" in result.stdout
    assert one_error_line(result.stderr) == "error: not in_sync or pending: RentVault (drift)"
    as_json = cli.run("status", "--check", "--json")
    assert as_json.exit_code == 1
    assert [p["state"] for p in json.loads(as_json.stdout)["proxies"]][2] == "drift"


def test_unknown_fails(cli):
    cli.edit_manifest(lambda m: m["proxies"][0].update(address=NO_CODE))
    result = cli.run("status", "--check")
    assert result.exit_code == 1
    assert one_error_line(result.stderr) == "error: not in_sync or pending: AccessHub (unknown)"
