"""Simulate's fork Anvil: it dies with the process that started it (SIGKILL and SIGHUP
included), `upgrader node stop` ends any fork its checkout left behind (and no other), and a
fork URL that never answers is one line naming the fork URL within 15 s."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from stack_helpers import ROOT, UPGRADER, Checkout, Run, alive, free_port, gone

pytestmark = pytest.mark.chain

DRIVER = """
import sys, time
from pathlib import Path
from upgrader.chain import anvil
with anvil.fork(sys.argv[1], root=Path(sys.argv[2])) as node:
    print(node.proc.pid, flush=True)
    time.sleep(120)
"""


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGHUP, signal.SIGTERM])
def test_fork_dies_with_its_parent(anvil, tmp_path, sig):
    parent = subprocess.Popen([sys.executable, "-c", DRIVER, anvil.url, str(tmp_path)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        fork_pid = int(parent.stdout.readline())
        assert alive(fork_pid)
        parent.send_signal(sig)
        parent.wait(timeout=20)
        assert gone([fork_pid], within_s=10), f"the fork Anvil outlived its parent ({sig.name})"
    finally:
        parent.kill()
        parent.wait()


def _detached_fork(marker: Path, fork_url: str) -> subprocess.Popen:
    """A fork Anvil as a killed simulate of an older version (or another OS) left it: detached,
    carrying its checkout's marker."""
    from upgrader.chain.anvil import anvil_executable

    return subprocess.Popen(
        [anvil_executable(ROOT), "--port", str(free_port()), "--fork-url", fork_url, "--silent"],
        env={**os.environ, "UPGRADER_FORK_OF": str(marker.resolve())}, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def test_node_stop_ends_the_forks_its_checkout_left_only(anvil, tmp_path):
    """Left behind: a fork whose command is gone. Not touched: another checkout's fork, and
    a fork a running `simulate` of this checkout still uses."""
    ours = Checkout.make(tmp_path / "ours", free_port(), free_port())
    theirs = Checkout.make(tmp_path / "theirs", free_port(), free_port())
    in_use = subprocess.Popen([sys.executable, "-c", DRIVER, anvil.url, str(ours.root)], stdout=subprocess.PIPE, text=True)
    left, other = _detached_fork(ours.root, anvil.url), _detached_fork(theirs.root, anvil.url)
    try:
        used_fork = int(in_use.stdout.readline())
        deadline = time.monotonic() + 10
        while not ours.status()["forks"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ours.status()["forks"] == [left.pid]
        run = ours.upgrader("node", "stop", "--json")
        assert run.code == 0 and json.loads(run.out)["forks"] == [left.pid]
        assert left.wait(timeout=10) is not None
        assert other.poll() is None, "node stop ended a fork of another checkout"
        assert alive(used_fork), "node stop ended the fork of a running simulate"
    finally:
        for p in (left, other, in_use):
            p.kill()
            p.wait()


@pytest.fixture
def plan_file(system, anvil, tmp_path) -> tuple[Path, dict[str, str]]:
    """A real plan of the session system, written by `upgrader plan` on network `local`."""
    folder = tmp_path / "deployments"
    (folder / "local").mkdir(parents=True)
    data = json.loads((system.config.deployments / system.network / "manifest.json").read_text())
    data["network"] = "local"
    (folder / "local" / "manifest.json").write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    env = {**os.environ, "UPGRADER_PROJECT": str(ROOT), "UPGRADER_DEPLOYMENTS": str(folder), "UPGRADER_RPC_LOCAL": anvil.url}
    p = subprocess.run([str(UPGRADER), "plan", "--json"], env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return Path(json.loads(p.stdout)["path"]), env


def test_a_hung_fork_url_is_named_within_15_seconds(plan_file):
    plan, env = plan_file
    with socket.socket() as hung:  # accepts connections, never answers
        hung.bind(("127.0.0.1", 0))
        hung.listen(16)
        url = f"http://127.0.0.1:{hung.getsockname()[1]}/v2/SECRET-KEY"
        before = sorted(p.name for p in plan.parent.iterdir())
        started = time.monotonic()
        p = subprocess.run([str(UPGRADER), "simulate", str(plan), "--fork-url", url], env=env,
                           capture_output=True, text=True, timeout=60)
        elapsed = time.monotonic() - started
    line = Run(p.returncode, p.stdout, p.stderr).one_error_line()
    assert p.returncode == 2 and elapsed < 15, (p.returncode, elapsed)
    assert "fork URL" in line and "did not answer" in line and "SECRET-KEY" not in line
    assert sorted(p.name for p in plan.parent.iterdir()) == before  # no simulation report written
    from upgrader.localstack.stack import forks_left

    assert forks_left(ROOT) == []
