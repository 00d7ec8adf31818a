"""``simulate`` runs a governed plan's whole path on an Anvil fork through the one fork runner:
the Safe schedules (or proposes), time moves past the delay, the execute leg runs from a
stranger or through the Safe (or votes reach quorum, a stranger queues and executes), then
every check of today; and it fails where the path would fail on chain."""

from __future__ import annotations

import json

import pytest

from gov_fixture import ok_json, run

pytestmark = pytest.mark.chain

TIMELOCK_LEGS = ["timelock: scheduled", "timelock: not before its time", "timelock: ready", "timelock: execute", "timelock: executed"]
GOVERNOR_LEGS = ["governor: proposed", "governor: votes", "governor: succeeded", "governor: queue", "governor: scheduled",
                 "governor: not before its time", "governor: ready", "governor: execute", "governor: executed"]
TODAY = ["Box: implementation-slot", "Box: runtime-code", "Box: implementation-locked", "Box: storage-preservation",
         "Box: smoke version()", "Box: smoke limit()", "Shelf: implementation-slot", "Shelf: storage-preservation"]


def _planned(c, *import_args):
    ok_json(run(c.root, c.url, "import", "--network", "anvil", *c.system.proxy_args(), "--multisend", c.system.multisend,
                *import_args, "--json"))
    return ok_json(run(c.root, c.url, "plan", "--network", "anvil", "--json"))


def test_simulate_runs_both_timelock_legs_then_every_check(timelocked):
    c = timelocked
    made = _planned(c)
    sim = ok_json(run(c.root, c.url, "simulate", made["path"], "--json"))
    names = [ch["name"] for ch in sim["checks"]]
    assert sim["ok"], [ch for ch in sim["checks"] if not ch["ok"]]
    assert names[:1 + len(TIMELOCK_LEGS)] == ["safe-execution", *TIMELOCK_LEGS]
    assert set(TODAY) <= set(names)
    execute = next(ch for ch in sim["checks"] if ch["name"] == "timelock: execute")
    assert ("from a stranger" in execute["detail"]) is (c.system.variant != "safe-exec")
    assert "2d 0h" in next(ch for ch in sim["checks"] if ch["name"] == "timelock: scheduled")["detail"]
    # nothing moved on the real chain: the fork did it all
    status = ok_json(run(c.root, c.url, "status", "--network", "anvil", "--json"))
    assert {p["state"] for p in status["proxies"]} == {"pending"} and status["operations"] == []


def test_simulate_runs_the_governor_path(governed):
    c = governed
    made = _planned(c, "--safe", c.system.safe)
    sim = ok_json(run(c.root, c.url, "simulate", made["path"], "--json"))
    assert sim["ok"], [ch for ch in sim["checks"] if not ch["ok"]]
    names = [ch["name"] for ch in sim["checks"]]
    assert names[:1 + len(GOVERNOR_LEGS)] == ["safe-execution", *GOVERNOR_LEGS]
    assert set(TODAY) <= set(names)
    votes = next(ch for ch in sim["checks"] if ch["name"] == "governor: votes")["detail"]
    assert votes.startswith("1 holder(s) voted For with 400 votes; quorum 40")


def test_simulate_fails_when_the_timelock_executor_is_taken_from_the_safe(case):
    """Safe-only executor: revoke the Safe's EXECUTOR_ROLE (through the Timelock itself) after
    planning: the execute leg fails in the simulation, naming the Timelock's reason."""
    from gov_fixture import TWO_DAYS, safe_execute, warp
    from upgrader.governance import abi
    from upgrader.governance.operation import TimelockOperation, calldata

    c = case("safe-exec")
    s = c.system
    made = _planned(c)
    revoke = TimelockOperation((s.timelock,), (0,), (calldata(abi.REVOKE_ROLE, [abi.EXECUTOR_ROLE, s.safe]),), salt=b"\x02" * 32)
    safe_execute(s, s.timelock, revoke.schedule_data(TWO_DAYS))
    warp(c.w3, TWO_DAYS)
    safe_execute(s, s.timelock, revoke.execute_data())
    result = run(c.root, c.url, "simulate", made["path"], "--json")
    sim = json.loads(result.stdout)
    assert result.exit_code == 1 and not sim["ok"]
    failed = [ch for ch in sim["checks"] if not ch["ok"]]
    assert [ch["name"] for ch in failed] == ["timelock: execute"]
    assert f"AccessControlUnauthorizedAccount({s.safe}".lower() in failed[0]["detail"].lower()
