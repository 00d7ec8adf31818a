"""`upgrader node start|stop|status|reset` on two checkouts of the project (two temporary
project folders configured with the same free ports): a checkout adopts only its own chain and
service, stops only its own processes, and a corrupt state file is one line with the fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from stack_helpers import Checkout, alive, free_port, gone, listening

pytestmark = pytest.mark.chain


@pytest.fixture
def ports() -> tuple[int, int]:
    return free_port(), free_port()


@pytest.fixture
def checkout_a(tmp_path, ports):
    c = Checkout.make(tmp_path / "checkout-a", *ports)
    yield c
    c.stop()


@pytest.fixture
def checkout_b(tmp_path, ports):
    c = Checkout.make(tmp_path / "checkout-b", *ports)
    yield c
    c.stop()


def test_start_status_stop_manage_chain_and_service_together(checkout_a):
    first = checkout_a.upgrader("node", "start", "--json")
    assert first.code == 0, first.err
    report = json.loads(first.out)
    assert sorted(report["started"]) == ["chain", "service"]
    pids = [report["chain"]["pid"], report["service"]["pid"]]
    assert all(alive(p) for p in pids) and listening(checkout_a.chain_port) and listening(checkout_a.service_port)

    again = checkout_a.upgrader("node", "start")  # a second start adopts, says so, starts nothing
    assert again.code == 0 and again.out.count("already running") == 2, again.out
    assert checkout_a.pids() == pids

    stop = checkout_a.upgrader("node", "stop", "--json")
    assert stop.code == 0 and json.loads(stop.out)["chain"] == "stopped" and json.loads(stop.out)["service"] == "stopped"
    assert gone(pids)
    assert checkout_a.status()["chain"]["state"] == "stopped" and not (checkout_a.anvil_dir / "anvil.pid").exists()


def test_second_checkout_refuses_the_first_ones_ports(checkout_a, checkout_b):
    assert checkout_a.upgrader("node", "start").code == 0
    pids = checkout_a.pids()
    before = checkout_b.files()

    run = checkout_b.upgrader("node", "start")
    assert run.code == 2
    line = run.one_error_line()
    assert str(checkout_a.root) in line and "upgrader.networks.local.rpc" in line
    status = checkout_b.status()
    assert status["chain"]["state"] == "foreign" and str(checkout_a.root) in status["chain"]["owner"]
    # b neither adopted nor started anything, and stopping b leaves a's processes alone
    assert checkout_b.upgrader("node", "stop").code == 0
    assert all(alive(p) for p in pids)
    assert {k: v for k, v in checkout_b.files().items() if not k.startswith(".anvil/")} == before
    assert not (checkout_b.anvil_dir / "anvil.pid").exists() and not (checkout_b.anvil_dir / "tx-service.pid").exists()

    # a command of checkout b on network `local` refuses too (it used to run on a's chain)
    status_cmd = checkout_b.upgrader("status")
    assert status_cmd.code == 2 and str(checkout_a.root) in status_cmd.one_error_line()

    assert checkout_a.upgrader("node", "stop").code == 0
    assert gone(pids)


def test_a_stopped_service_is_started_by_the_commands_that_need_it(checkout_a, checkout_b):
    """After `node stop` (or a reboot) propose/confirm/execute find the service again: resolving
    the network's `url: local` starts this checkout's stack; another checkout's port is refused."""
    script = ("from upgrader.config import load; from upgrader.stages.safe_api import resolve; "
              "print(resolve(load().network('local'), 31337).url)")
    env = {**os.environ, "UPGRADER_PROJECT": str(checkout_a.root)}
    env.pop("UPGRADER_RPC_LOCAL", None), env.pop("UPGRADER_TX_SERVICE", None)
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == f"http://127.0.0.1:{checkout_a.service_port}", out.stderr
    status = checkout_a.status()
    assert status["service"]["state"] == status["chain"]["state"] == "running"

    env["UPGRADER_PROJECT"] = str(checkout_b.root)
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode != 0 and str(checkout_a.root) in out.stderr  # InputError naming the owner
    assert not (checkout_b.anvil_dir / "tx-service.pid").exists()


def test_stop_leaves_an_unrelated_process_named_in_the_pid_file_alone(checkout_a):
    stranger = subprocess.Popen(["sleep", "60"])  # e.g. the PID after a reboot
    try:
        checkout_a.anvil_dir.mkdir()
        (checkout_a.anvil_dir / "anvil.pid").write_text(json.dumps({"pid": stranger.pid}))
        (checkout_a.anvil_dir / "tx-service.pid").write_text(str(stranger.pid))
        run = checkout_a.upgrader("node", "stop")
        assert run.code == 0 and "not ours" in run.out and "Traceback" not in run.err
        assert stranger.poll() is None, "node stop signalled a process that is not its Anvil"
        assert not (checkout_a.anvil_dir / "anvil.pid").exists()
    finally:
        stranger.kill()
        stranger.wait()


@pytest.mark.parametrize("name, content, words", [
    ("tx-service.json", b'{"transactions": {"0xab', "local Safe Transaction Service state"),
    ("tx-service.json", b'["not", "an", "object"]', "local Safe Transaction Service state"),
    ("state.json", b'{"block":{"number":"0x0","beneficiary":"0x00', "local chain state"),
])
def test_corrupt_state_file_is_one_line_with_the_fix(checkout_a, name, content, words):
    checkout_a.anvil_dir.mkdir()
    (checkout_a.anvil_dir / name).write_bytes(content)
    run = checkout_a.upgrader("node", "start")
    assert run.code == 2
    line = run.one_error_line()
    assert words in line and "upgrader node reset" in line and len(line) < 300
    assert (checkout_a.anvil_dir / name).read_bytes() == content  # left as it was
    assert not listening(checkout_a.chain_port) and not listening(checkout_a.service_port)  # nothing started
    assert checkout_a.status()["chain"]["state"] == "stopped"

    reset = checkout_a.upgrader("node", "reset")
    assert reset.code == 0 and not (checkout_a.anvil_dir / name).exists()


def test_reset_stops_everything_and_the_service_forgets_another_chains_proposals(checkout_a):
    checkout_a.anvil_dir.mkdir()
    stale = {"transactions": {"0x" + "ab" * 32: {"safe": "0x" + "11" * 20, "nonce": "0", "confirmations": [{"owner": "0x" + "22" * 20}]}}}
    (checkout_a.anvil_dir / "tx-service.json").write_text(json.dumps(stale))
    (checkout_a.root / "deployments" / "local").mkdir(parents=True)
    (checkout_a.root / "deployments" / "local" / "manifest.json").write_text("{}")

    assert checkout_a.upgrader("node", "start").code == 0  # a fresh chain: the proposals above are not its own
    assert json.loads((checkout_a.anvil_dir / "tx-service.json").read_text()) == {"delegates": [], "transactions": {}}
    assert "forgot 1 proposal" in (checkout_a.anvil_dir / "tx-service.log").read_text()

    pids = checkout_a.pids()
    run = checkout_a.upgrader("node", "reset", "--json")
    assert run.code == 0 and json.loads(run.out)["chain"] == "stopped"
    assert gone(pids)
    assert not (checkout_a.root / "deployments" / "local").exists()
    assert [p.name for p in checkout_a.anvil_dir.iterdir() if p.name != ".lock"] == []
