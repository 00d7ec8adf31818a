"""Ctrl-C during `upgrader execute` once execTransaction is sent: the run still waits for it,
verifies the chain, records the upgrade in the manifest and reports success (exit 0), instead of
exit 130 with the chain upgraded and the manifest not."""

from __future__ import annotations

import json
import signal
import time

import pytest
from faults_helpers import finish, owners, simulated_plan

pytestmark = pytest.mark.chain


def _pending(w3) -> int:
    return int(w3.provider.make_request("txpool_status", [])["result"]["pending"], 16)


def test_interrupt_after_sending_still_records(cli, service, chain):
    path, plan = simulated_plan(cli)
    first, second = owners(cli)[:2]
    h = json.loads(cli.run("propose", str(path), "--sender", first, "--json").stdout)["safe_tx_hash"]
    assert cli.run("confirm", h, "--sender", second).exit_code == 0
    w3 = chain.w3
    w3.provider.make_request("evm_setAutomine", [False])
    try:
        proc = cli.spawn("execute", h, "--json")
        deadline = time.monotonic() + 120
        while _pending(w3) == 0:  # execTransaction sent, not mined: the run waits for its receipt
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.5)  # let the signal land while the run waits
        w3.provider.make_request("evm_mine", [])
    finally:
        w3.provider.make_request("evm_setAutomine", [True])
    ((code, out, err),) = finish([proc])
    assert code == 0, err
    assert "Traceback" not in err and "interrupt" in err
    done = json.loads(out)
    manifest = json.loads(cli.manifest_path.read_text())
    for u in plan["upgrades"]:
        record = next(p for p in manifest["proxies"] if p["name"] == u["proxy"])
        assert record["implementation"]["address"] == u["to"]["implementation"]
        assert [e["tx"] for e in record["history"]] == [done["tx"]]


def test_killed_after_sending_a_rerun_records_it(cli, service, chain):
    path, plan = simulated_plan(cli)
    first, second = owners(cli)[:2]
    h = json.loads(cli.run("propose", str(path), "--sender", first, "--json").stdout)["safe_tx_hash"]
    assert cli.run("confirm", h, "--sender", second).exit_code == 0
    w3 = chain.w3
    w3.provider.make_request("evm_setAutomine", [False])
    try:
        proc = cli.spawn("execute", h, "--json")
        deadline = time.monotonic() + 120
        while _pending(w3) == 0:
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.05)
        proc.kill()  # SIGKILL: nothing of the run survives to record the upgrade
        proc.communicate(timeout=30)
        w3.provider.make_request("evm_mine", [])
    finally:
        w3.provider.make_request("evm_setAutomine", [True])
    before = json.loads(cli.manifest_path.read_text())
    assert all(p["history"] == [] for p in before["proxies"])  # executed on chain, not recorded
    again = cli.run("execute", h, "--json")
    assert again.exit_code == 0, again.stderr
    done = json.loads(again.stdout)
    assert done["recovered"] is True
    status = json.loads(cli.run("status", "--json").stdout)
    assert {p["state"] for p in status["proxies"]} == {"in_sync"}
    third = cli.run("execute", h)
    assert third.exit_code == 2 and f"already executed in tx {done['tx']}" in third.stderr


def test_double_ctrl_c_says_what_was_sent_and_how_to_record_it(cli, service, chain):
    """Issue 22, point 4: the second Ctrl-C stops the run at once, and its last line names the
    transaction it sent and the command that records it (was only "interrupted")."""
    path, plan = simulated_plan(cli)
    first, second = owners(cli)[:2]
    h = json.loads(cli.run("propose", str(path), "--sender", first, "--json").stdout)["safe_tx_hash"]
    assert cli.run("confirm", h, "--sender", second).exit_code == 0
    w3 = chain.w3
    w3.provider.make_request("evm_setAutomine", [False])
    try:
        proc = cli.spawn("execute", h)
        deadline = time.monotonic() + 120
        while _pending(w3) == 0:
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        pending = w3.provider.make_request("eth_getBlockByNumber", ["pending", False])["result"]["transactions"]
        w3.provider.make_request("evm_mine", [])
    finally:
        w3.provider.make_request("evm_setAutomine", [True])
    assert proc.returncode == 130, err
    assert "Traceback" not in err and out == ""
    last = err.strip().splitlines()[-1]
    assert last == f"interrupted: the Safe transaction {h} sent as {pending[0]}; run `upgrader execute {h}` to record it", last
    assert all(p["history"] == [] for p in json.loads(cli.manifest_path.read_text())["proxies"])
    again = cli.run("execute", h, "--json")  # what the line says to do
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["tx"] == pending[0]
