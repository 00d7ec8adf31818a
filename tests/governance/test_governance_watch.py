"""``watch`` reads the Timelock's and Governor's events: an operation scheduled through the Safe
outside upgrader is reported within one scan with its decoded calls, ETA and red review (and
``review`` of that Safe batch is red); cancels, delay and role changes, proposals touching our
contracts; a planned operation that became ready is due. ``sync`` records an upgrade that a
stranger executed through the Timelock as the plan's."""

from __future__ import annotations

import json

import pytest

from gov_fixture import TWO_DAYS, ok_json, run, safe_execute, transact, warp

pytestmark = pytest.mark.chain


def watch_once(c) -> tuple[int, list[dict]]:
    result = run(c.root, c.url, "watch", "--network", "anvil", "--once", "--json", "--no-service", "--max-head-age", "1000000000")
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return result.exit_code, [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def _imported_and_planned(c, *extra):
    ok_json(run(c.root, c.url, "import", "--network", "anvil", *c.system.proxy_args(), "--multisend", c.system.multisend,
                *extra, "--json"))
    return ok_json(run(c.root, c.url, "plan", "--network", "anvil", "--json"))


def test_an_operation_scheduled_outside_upgrader_is_reported_once_with_its_calls(case):
    from upgrader.governance.operation import TimelockOperation

    c = case("open")
    s = c.system
    made = _imported_and_planned(c)
    assert watch_once(c) == (0, [])
    rogue_impl = s.shelf_admin  # a ProxyAdmin: a build contract by its code, but no implementation of Box
    box = s.contract("Box", s.box)
    data = bytes.fromhex(box.encode_abi("upgradeToAndCall", [rogue_impl, b""])[2:])
    op = TimelockOperation((s.box,), (0,), (data,), salt=b"\x66" * 32)
    safe_execute(s, s.timelock, op.schedule_data(TWO_DAYS))  # the Safe's owners schedule it, not upgrader

    code, found = watch_once(c)
    assert code == 1 and [f["kind"] for f in found] == ["unplanned-schedule"]
    (f,) = found
    assert f["operation_id"] == "0x" + op.id.hex() and f["delay"] == TWO_DAYS and f["eta"].endswith("UTC")
    assert f["calls"] == [f"Box.upgradeToAndCall({rogue_impl} (ProxyAdmin of Shelf), 0x)"]
    assert f["review_ok"] is False and "checker-rejects" in f["red"]  # tied to the build's ProxyAdmin by its code
    assert watch_once(c) == (0, [])  # reported once

    # the Safe batch that scheduled it, reviewed: red
    reviewed = run(c.root, c.url, "review", "--network", "anvil", "--json", _safe_tx_file(c, s.timelock, op.schedule_data(TWO_DAYS)))
    assert reviewed.exit_code == 1 and "checker-rejects" in {w["kind"] for w in json.loads(reviewed.stdout)["warnings"]}

    # our own plan's operation is no finding, until it is due
    for call in made["plan"]["calls"]:
        safe_execute(s, call["to"], bytes.fromhex(call["data"][2:]))
    assert watch_once(c) == (0, [])
    warp(c.w3, TWO_DAYS)
    code, found = watch_once(c)
    assert [f["kind"] for f in found] == ["scheduled-operation-due"]
    assert found[0]["id"] == made["plan"]["governance"]["operation"]["id"]


def _safe_tx_file(c, to: str, data: bytes) -> str:
    path = c.root / "rogue.json"
    path.write_text(json.dumps({"safe": c.system.safe, "chainId": "31337", "to": to, "value": "0", "data": "0x" + data.hex(),
                                "operation": 0, "nonce": "0", "safeTxGas": "0", "baseGas": "0", "gasPrice": "0",
                                "gasToken": "0x" + "00" * 20, "refundReceiver": "0x" + "00" * 20}))
    return str(path)


def test_cancel_delay_and_role_changes_are_reported(case):
    from upgrader.governance import abi
    from upgrader.governance.operation import TimelockOperation, calldata

    c = case("open")
    s = c.system
    made = _imported_and_planned(c)
    watch_once(c)
    for call in made["plan"]["calls"]:  # the plan's schedule leg, then a cancel of it
        safe_execute(s, call["to"], bytes.fromhex(call["data"][2:]))
    op_id = bytes.fromhex(made["plan"]["governance"]["operation"]["id"][2:])
    safe_execute(s, s.timelock, calldata(abi.CANCEL, [op_id]))
    code, found = watch_once(c)
    assert [f["kind"] for f in found] == ["operation-cancelled"] and found[0]["planned"] is True
    status = ok_json(run(c.root, c.url, "status", "--network", "anvil", "--json"))
    assert status["operations"][0]["state"] == "cancelled" and {p["state"] for p in status["proxies"]} == {"pending"}

    change = TimelockOperation((s.timelock, s.timelock), (0, 0), (calldata(abi.UPDATE_DELAY, [TWO_DAYS * 2]),
                               calldata(abi.GRANT_ROLE, [abi.EXECUTOR_ROLE, c.w3.eth.accounts[9]])), salt=b"\x05" * 32)
    safe_execute(s, s.timelock, change.schedule_data(TWO_DAYS))
    warp(c.w3, TWO_DAYS)
    c.w3.eth.send_transaction({"from": c.w3.eth.accounts[8], "to": s.timelock, "data": "0x" + change.execute_data().hex()})
    code, found = watch_once(c)
    kinds = sorted(f["kind"] for f in found)
    assert kinds == ["min-delay-changed", "timelock-role-changed", "unplanned-schedule"]
    delay = next(f for f in found if f["kind"] == "min-delay-changed")
    assert (delay["before"], delay["after"]) == (TWO_DAYS, TWO_DAYS * 2)
    role = next(f for f in found if f["kind"] == "timelock-role-changed")
    assert role["role"] == "EXECUTOR_ROLE" and role["granted"] and role["account"] == c.w3.eth.accounts[9]
    assert "timelock-settings-change" in next(f for f in found if f["kind"] == "unplanned-schedule")["red"]


def test_a_proposal_touching_our_contracts_is_reported(case):
    from upgrader.governance.operation import GovernorProposal

    c = case("governor")
    s = c.system
    _imported_and_planned(c, "--safe", s.safe)
    watch_once(c)
    box = s.contract("Box", s.box)
    p = GovernorProposal((s.box,), (0,), (bytes.fromhex(box.encode_abi("transferOwnership", [s.holders[0]])[2:]),), "give me the Box")
    c.w3.eth.send_transaction({"from": s.holders[0], "to": s.governor, "data": "0x" + p.propose_data().hex()})
    code, found = watch_once(c)
    assert code == 1 and [f["kind"] for f in found] == ["proposal-created"]
    assert found[0]["proposal_id"] == str(p.id) and found[0]["calls"][0].startswith("Box.transferOwnership(")


def test_sync_records_an_upgrade_a_stranger_executed_through_the_timelock(case):
    c = case("open")
    s = c.system
    made = _imported_and_planned(c)
    watch_once(c)
    for call in made["plan"]["calls"]:
        safe_execute(s, call["to"], bytes.fromhex(call["data"][2:]))
    warp(c.w3, TWO_DAYS)
    g = made["plan"]["governance"]
    c.w3.eth.send_transaction({"from": c.w3.eth.accounts[8], "to": g["timelock"], "data": g["execute"]["data"]})
    code, found = watch_once(c)
    assert "unplanned-upgrade" not in {f["kind"] for f in found}  # the plan's operation explains it
    status = ok_json(run(c.root, c.url, "status", "--network", "anvil", "--json"))
    assert {p["state"] for p in status["proxies"]} == {"drift"}
    synced = ok_json(run(c.root, c.url, "sync", "--network", "anvil", "--json"))
    assert {r["proxy"]: (r["origin"], r["plan_hash"]) for r in synced["recorded"]} == {
        "Box": ("upgrader", made["plan_hash"]), "Shelf": ("upgrader", made["plan_hash"])}
    status = ok_json(run(c.root, c.url, "status", "--network", "anvil", "--json"))
    assert {p["state"] for p in status["proxies"]} == {"in_sync"}
