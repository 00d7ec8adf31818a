"""Issue 21.1: in a Foundry repository (a ``.gitmodules`` naming GitHub submodules and a host
that does not exist, ``lib/`` laid out as submodules) the signing commands answer within their
``--deadline`` and connect to nothing but loopback (the Anvil and the local Safe service); plan
and simulate run the same way.
ape, which signs, used to read that folder as its project and ask api.github.com for each
submodule's default branch, with retries for minutes. Each command runs as its own process
(ape's managers are per process) through ``socket_guard.py``, which refuses and records every
connection or name lookup that is not loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from service_helpers import local_deployments

pytestmark = pytest.mark.chain

GUARD = Path(__file__).with_name("socket_guard.py")
DEADLINE_S = 10
STARTUP_S = 30  # a cold interpreter importing web3 and ape on a loaded 2-core machine

GITMODULES = """\
[submodule "lib/forge-std"]
\tpath = lib/forge-std
\turl = https://github.com/foundry-rs/forge-std
[submodule "lib/openzeppelin-contracts-upgradeable"]
\tpath = lib/openzeppelin-contracts-upgradeable
\turl = https://github.com/OpenZeppelin/openzeppelin-contracts-upgradeable
[submodule "lib/solmate"]
\tpath = lib/solmate
\turl = https://git.unreachable.invalid/transmissions11/solmate.git
"""


def foundry_repo(folder: Path) -> Path:
    """A Foundry repository's top folder as `git submodule add` leaves it (no network needed)."""
    (folder / "src").mkdir(parents=True)
    (folder / "foundry.toml").write_text('[profile.default]\nsrc = "src"\nout = "out"\nlibs = ["lib"]\n')
    (folder / ".gitmodules").write_text(GITMODULES)
    for name in ("forge-std", "openzeppelin-contracts-upgradeable", "solmate"):
        (folder / ".git" / "modules" / "lib" / name).mkdir(parents=True)
        (folder / "lib" / name).mkdir(parents=True)
        (folder / "lib" / name / ".git").write_text(f"gitdir: ../../.git/modules/lib/{name}\n")
    return folder


@pytest.fixture
def guarded(chain, anvil, service, tmp_path):
    folder = local_deployments(chain, tmp_path / "deployments")
    log = tmp_path / "connections.log"
    log.touch()
    repo = foundry_repo(tmp_path / "team-repo")
    env = {**os.environ, "UPGRADER_DEPLOYMENTS": str(folder), "UPGRADER_RPC_LOCAL": anvil.url,
           "UPGRADER_TX_SERVICE": service.url, "UPGRADER_TEST_CONNECT_LOG": str(log),
           "APE_DATA_FOLDER": str(tmp_path / "ape"), "COLUMNS": "200", "NO_COLOR": "1"}

    def run(*args: str, budget: float) -> dict:
        started = time.monotonic()
        try:
            done = subprocess.run([sys.executable, str(GUARD), *args, "--json"], cwd=repo, env=env, text=True,
                                  capture_output=True, timeout=budget, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{args[0]} did not answer within {budget:.0f} s; refused connections: {log.read_text()!r}")
        took = time.monotonic() - started
        assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stderr}"
        assert log.read_text() == "", f"{args[0]} tried hosts other than loopback: {log.read_text()}"
        return {**json.loads(done.stdout), "_took": took}

    run.plans = folder / "local" / "plans"
    return run


def test_signing_in_a_foundry_repo_asks_no_host_but_the_configured_ones(guarded, chain):
    owners = sorted(chain.owners, key=lambda o: int(o, 16))
    plan = guarded("plan", budget=STARTUP_S + 60)
    plan_path = Path(plan["path"])
    assert guarded("simulate", str(plan_path), budget=STARTUP_S + 120)["ok"] is True

    budget = STARTUP_S + DEADLINE_S
    deadline = ("--deadline", str(DEADLINE_S))
    proposed = guarded("propose", str(plan_path), "--sender", owners[0], *deadline, budget=budget)
    assert proposed["created"] is True and proposed["proposer"] == owners[0]
    confirmed = guarded("confirm", proposed["safe_tx_hash"], "--sender", owners[1], *deadline, budget=budget)
    assert confirmed["confirmations"] == 2
    executed = guarded("execute", proposed["safe_tx_hash"], "--sender", "2", *deadline, budget=budget + 30)
    assert executed["proxies"], executed
