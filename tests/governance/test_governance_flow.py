"""Issue 23's flow through the CLI and the local Safe Transaction Service, on the fixture whose
upgrade authority is an OpenZeppelin TimelockController (2-day minimum delay; proposer and
canceller the 2-of-3 Safe; executor open, or only the Safe): import → status → plan →
simulate → propose (schedule) → confirm → execute → status scheduled → time moves →
``upgrader execute`` (second leg) → status in_sync; each step run again is harmless. The same
with a Governor in front (holders vote on the real chain; ``execute`` queues, then executes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gov_fixture import TWO_DAYS, mine, ok_json, run, transact, warp

pytestmark = pytest.mark.chain


@pytest.fixture
def service(world, tmp_path: Path):
    from upgrader.safe_service.local.server import LocalServiceServer, LocalTransactionService

    svc = LocalTransactionService(world.url, tmp_path / "service.json", tuple(s.multisend for s in world.systems.values()))
    with LocalServiceServer(svc) as server:
        yield server.url


def cli(c, *args):
    return run(c.root, c.url, *args)


def _two_owners(c):
    return c.system.owners[0], c.system.owners[1]


def _schedule_leg(c, url, *import_args):
    """import → status → plan → simulate → propose → confirm → execute (the Safe's leg)."""
    ok_json(cli(c, "import", "--network", "anvil", *c.system.proxy_args(), "--multisend", c.system.multisend, *import_args, "--json"))
    assert {p["state"] for p in ok_json(cli(c, "status", "--network", "anvil", "--json"))["proxies"]} == {"pending"}
    made = ok_json(cli(c, "plan", "--network", "anvil", "--json"))
    assert ok_json(cli(c, "simulate", made["path"], "--json"))["ok"]
    first, second = _two_owners(c)
    proposed = ok_json(cli(c, "propose", made["path"], "--sender", first, "--tx-service", url, "--json"))
    h = proposed["safe_tx_hash"]
    assert proposed["review_ok"] is True, Path(proposed["review"]).read_text()
    reviewed = ok_json(cli(c, "review", proposed["proposal"], "--plan", made["path"], "--network", "anvil", "--json"))
    assert reviewed["ok"] and [e["kind"] for e in reviewed["governance"]] == [
        "timelock-schedule" if made["plan"]["governance"]["kind"] == "timelock" else "governor-propose"]
    assert reviewed["governance"][0]["operation_id"] == made["plan"]["governance"]["operation"]["id"]
    assert ok_json(cli(c, "propose", made["path"], "--sender", first, "--tx-service", url, "--json"))["created"] is False
    ok_json(cli(c, "confirm", h, "--sender", second, "--network", "anvil", "--tx-service", url, "--json"))
    done = ok_json(cli(c, "execute", h, "--network", "anvil", "--tx-service", url, "--json"))
    return made, h, done


def test_timelock_flow_with_an_open_or_a_safe_executor(timelocked, service):
    c, s = timelocked, timelocked.system
    made, h, done = _schedule_leg(c, service)
    op = made["plan"]["governance"]["operation"]["id"]
    assert set(done["proxies"]) == {"Box", "Shelf"} and all("scheduled (ready at" in v for v in done["proxies"].values())

    status = ok_json(cli(c, "status", "--network", "anvil", "--json"))
    assert {p["name"]: p["state"] for p in status["proxies"]} == {"Box": "scheduled", "Shelf": "scheduled"}
    (live,) = status["operations"]
    assert live["id"] == op and live["state"] == "scheduled" and live["text"].endswith("in 2d 0h)")
    again = cli(c, "execute", h, "--network", "anvil", "--tx-service", service)  # the Safe's leg again: nothing to do yet
    assert again.exit_code == 2 and "scheduled (ready at" in again.stdout + again.stderr
    early = cli(c, "execute", op, "--network", "anvil", "--tx-service", service)
    assert early.exit_code == 2 and "in 2d 0h" in early.stdout + early.stderr

    first, second = _two_owners(c)
    if s.variant == "safe-exec":  # only the Safe executes: propose queues the execute leg as the Safe's next transaction
        leg = ok_json(cli(c, "propose", made["path"], "--sender", first, "--tx-service", service, "--json"))
        assert leg["safe_tx_hash"] != h and leg["created"] and leg["review_ok"] is True, Path(leg["review"]).read_text()
        again = ok_json(cli(c, "propose", made["path"], "--sender", first, "--tx-service", service, "--json"))
        assert again["safe_tx_hash"] == leg["safe_tx_hash"] and again["created"] is False
        ok_json(cli(c, "confirm", leg["safe_tx_hash"], "--sender", second, "--network", "anvil", "--tx-service", service, "--json"))
    else:
        refused = cli(c, "propose", made["path"], "--sender", first, "--tx-service", service)
        assert refused.exit_code == 2 and f"upgrader execute {op}" in refused.stdout + refused.stderr

    warp(c.w3, TWO_DAYS)
    status = ok_json(cli(c, "status", "--network", "anvil", "--json"))
    assert {p["state"] for p in status["proxies"]} == {"ready"} and status["operations"][0]["state"] == "ready"

    if s.variant == "safe-exec":
        refused = cli(c, "execute", op, "--network", "anvil", "--tx-service", service)
        assert refused.exit_code == 2 and "only the Safe may execute" in refused.stdout + refused.stderr
        final = ok_json(cli(c, "execute", leg["safe_tx_hash"], "--network", "anvil", "--tx-service", service, "--json"))
        assert final["proxies"]["Box"].startswith("0x")
    else:
        final = ok_json(cli(c, "execute", op, "--network", "anvil", "--tx-service", service, "--json"))
        assert final["step"] == "execute" and final["tx"]

    status = ok_json(cli(c, "status", "--network", "anvil", "--json"))
    assert {p["name"]: p["state"] for p in status["proxies"]} == {"Box": "in_sync", "Shelf": "in_sync"}
    assert status["operations"] == []
    manifest = json.loads((c.root / "deployments" / "anvil" / "manifest.json").read_text())
    box = next(p for p in manifest["proxies"] if p["name"] == "Box")
    assert box["implementation"]["contract"].endswith(":BoxV2") and box["history"][-1]["plan_hash"] == made["plan_hash"]
    assert s.contract("BoxV2", s.box).functions.limit().call() == 1000

    # every step again: harmless
    repeat = cli(c, "execute", op, "--network", "anvil", "--tx-service", service)
    assert repeat.exit_code == 2 and "recorded already" in repeat.stdout + repeat.stderr
    assert ok_json(cli(c, "plan", "--network", "anvil", "--json"))["plan"] is None
    assert json.loads((c.root / "deployments" / "anvil" / "manifest.json").read_text()) == manifest


def test_governor_flow_vote_queue_execute(governed, service):
    c, s = governed, governed.system
    made, h, done = _schedule_leg(c, service, "--safe", s.safe)
    g = made["plan"]["governance"]
    pid = g["proposal"]["id"]
    assert all(f"proposal {pid}: proposed" in v for v in done["proxies"].values())
    waiting = cli(c, "execute", pid, "--network", "anvil", "--tx-service", service)
    assert waiting.exit_code == 2 and "proposed" in waiting.stdout + waiting.stderr

    gov = s.governor_contract()
    mine(c.w3, 2)
    for holder in s.holders[:2]:  # the holders vote on the real chain, outside upgrader
        transact(c.w3, gov.functions.castVote(int(pid), 1), holder)
    status = ok_json(cli(c, "status", "--network", "anvil", "--json"))
    assert status["operations"][0]["state"] == "voting" and status["operations"][0]["id"] == pid
    mine(c.w3, 25)

    queued = ok_json(cli(c, "execute", pid, "--network", "anvil", "--tx-service", service, "--json"))
    assert queued["step"] == "queue" and queued["state"].startswith("scheduled (ready at")
    status = ok_json(cli(c, "status", "--network", "anvil", "--json"))
    assert {p["state"] for p in status["proxies"]} == {"scheduled"}
    again = cli(c, "execute", pid, "--network", "anvil", "--tx-service", service)
    assert again.exit_code == 2 and "scheduled" in again.stdout + again.stderr

    warp(c.w3, TWO_DAYS)
    final = ok_json(cli(c, "execute", h, "--network", "anvil", "--tx-service", service, "--json"))  # by the first leg's safeTxHash
    assert final["step"] == "execute" and set(final["proxies"]) == {"Box", "Shelf"}
    status = ok_json(cli(c, "status", "--network", "anvil", "--json"))
    assert {p["state"] for p in status["proxies"]} == {"in_sync"}


def test_timelock_flow_when_only_an_account_executes(case, service):
    """The Timelock's only executor is an EOA (neither the Safe nor open), as the deploy script of
    gwalen/erc20_swapper_task@a10c00f sets it up (its deployer proposes, executes and administers;
    the team then grants its Safe PROPOSER_ROLE and CANCELLER_ROLE). Found there: import said
    "upgrader cannot run the second leg", plan made the execute leg a Safe transaction that can
    only revert (simulate failed: AccessControlUnauthorizedAccount of the Safe), the early-execute
    check passed on a missing role rather than the delay, and watch --once reported the team's
    own pre-import role grants as drift (exit 1). import now also names the deployer's remaining
    PROPOSER_ROLE and admin role, through which it can act without the Safe."""
    from test_governance_watch import watch_once

    c = case("account-exec")
    s = c.system
    imported = ok_json(cli(c, "import", "--network", "anvil", *s.proxy_args(), "--multisend", s.multisend, "--json"))
    note = next(n for n in imported["notes"] if "EXECUTOR_ROLE" in n)
    assert note.startswith(f"only {s.deployer} may execute") and "upgrader execute <operation id> --sender" in note
    # and the deployer can still act around the Safe: import says so (a note, not a red: it is the team's setup)
    assert f"{s.deployer} also holds PROPOSER_ROLE on the Timelock {s.timelock}" in " ".join(imported["notes"])
    assert f"{s.deployer} holds DEFAULT_ADMIN_ROLE on the Timelock {s.timelock}" in " ".join(imported["notes"])
    assert watch_once(c) == (0, [])  # the grants that made the Safe a proposer are what import recorded

    made, h, done = _schedule_leg(c, service, "--force")  # the same import again, then the Safe's leg
    g = made["plan"]["governance"]
    op = g["operation"]["id"]
    assert g["executor"] == "account" and g["executors"] == [s.deployer]
    sim = json.loads(next((c.root / "deployments" / "anvil" / "plans").glob(f"{made['plan_hash']}.simulation.json")).read_text())
    checks = {ch["name"]: ch["detail"] for ch in sim["checks"]}
    assert checks["timelock: not before its time"].startswith(f"executing it now reverts (TimelockUnexpectedOperationState({op}, 0x")
    assert checks["timelock: execute"] == f"executeBatch from {s.deployer}, which holds EXECUTOR_ROLE"

    first, second = _two_owners(c)
    refused = cli(c, "propose", made["path"], "--sender", first, "--tx-service", service)  # no Safe execute leg to queue
    assert refused.exit_code == 2 and f"upgrader execute {op}" in refused.stdout + refused.stderr
    warp(c.w3, TWO_DAYS)
    code, found = watch_once(c)
    assert code == 1 and [f["kind"] for f in found] == ["scheduled-operation-due"]
    assert f"upgrader execute {op} --sender <{s.deployer}>" in found[0]["message"]
    stranger = cli(c, "execute", op, "--network", "anvil", "--sender", first, "--tx-service", service)
    assert stranger.exit_code == 2 and f"--sender {first} does not hold EXECUTOR_ROLE" in stranger.stdout + stranger.stderr
    assert s.timelock_contract().functions.isOperationReady(bytes.fromhex(op[2:])).call()  # nothing was sent
    final = ok_json(cli(c, "execute", op, "--network", "anvil", "--tx-service", service, "--json"))  # the dev chain's executor
    assert final["step"] == "execute" and set(final["proxies"]) == {"Box", "Shelf"}
    status = ok_json(cli(c, "status", "--network", "anvil", "--json"))
    assert {p["state"] for p in status["proxies"]} == {"in_sync"}
    assert watch_once(c) == (0, [])


def _proposed_schedule(case, service):
    """The account-executor fixture imported, planned, simulated and its Safe leg proposed."""
    c = case("account-exec")
    s = c.system
    ok_json(cli(c, "import", "--network", "anvil", *s.proxy_args(), "--multisend", s.multisend, "--json"))
    made = ok_json(cli(c, "plan", "--network", "anvil", "--json"))
    assert ok_json(cli(c, "simulate", made["path"], "--json"))["ok"]
    return c, ok_json(cli(c, "propose", made["path"], "--sender", _two_owners(c)[0], "--tx-service", service, "--json"))


def test_review_simulate_names_the_timelock_events_and_the_gas_at_the_eta(case, service):
    """review --simulate of the schedule: the Timelock's CallScheduled/CallSalt (and, at the ETA,
    CallExecuted) are decoded although the build has no TimelockController (seen undecoded on
    gwalen/erc20_swapper_task@a10c00f, whose Timelock comes from lib/), and the ETA run's gas is a number."""
    c, proposed = _proposed_schedule(case, service)
    s = c.system
    reviewed = ok_json(cli(c, "review", proposed["proposal"], "--simulate", "--network", "anvil", "--json"))
    sim = reviewed["simulation"]
    mine = [e["event"] for e in sim["events"] if e["address"] == s.timelock]
    assert mine == ["CallScheduled", "CallScheduled", "CallSalt"]
    assert [e["event"] for e in sim["at_eta"]["events"] if e["address"] == s.timelock] == ["CallExecuted", "CallExecuted"]
    assert isinstance(sim["at_eta"]["execution"]["gas_used"], int) and sim["at_eta"]["execution"]["gas_used"] > 0


def test_the_validation_document_of_a_schedule_is_the_same_bytes_later(case, service):
    """Two signers at one pinned block get the same document though they run it at different
    times: the Timelock stores the ETA from block.timestamp, and a fork's blocks were stamped by
    the wall clock (the ETA, its slot in the state diff and the ETA run differed between runs)."""
    import time

    c, proposed = _proposed_schedule(case, service)
    block = str(c.w3.eth.block_number)
    texts = []
    for _ in range(2):
        done = ok_json(cli(c, "review", proposed["proposal"], "--simulate", "--block", block, "--network", "anvil",
                           "--validation-file", "--json"))
        texts.append(Path(done["validation_file"]["path"]).read_bytes())
        time.sleep(2.5)  # Anvil's clock moves on
    assert "_timestamps[" in texts[0].decode()  # the ETA the Timelock stored is in the document
    assert texts[0] == texts[1]  # (the mechanism itself: tests/integration/test_fork_clock.py)
