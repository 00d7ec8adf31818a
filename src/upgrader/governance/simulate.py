"""``simulate`` of a governed plan: after the Safe's leg ran on the fork (through ``sim.runner``,
the one fork runner), the legs that follow it, as they will run on the real chain:

- Timelock: the operation is scheduled with the plan's id and delay; an ``executeBatch`` before
  the delay is over reverts, sent by an account that may execute it (so the revert is the
  delay's, not a missing role's); time moves past the delay (``warp``); ``executeBatch`` runs
  from a stranger (executor role open), through the Safe's ``execTransaction`` (Safe executor)
  or from an account that holds the executor role (impersonated).
- Governor: the proposal is Pending with the plan's id; the clock moves past its snapshot;
  holders of the voting token (found through ``DelegateVotesChanged``, impersonated) vote For,
  largest first, until the quorum at the snapshot is reached; the clock moves past the
  deadline; a stranger ``queue``s it (the Timelock then holds the plan's operation id) and,
  after the delay, ``execute``s it.

Then ``simulate`` runs every check of today on the upgraded fork."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_utils import to_checksum_address

from upgrader.governance import abi
from upgrader.governance.base import duration, latest_timestamp, utc, view
from upgrader.governance.governor import proposal_state
from upgrader.governance.operation import calldata
from upgrader.governance.timelock import may_execute, operation_progress


@dataclass
class LegRun:
    checks: list[tuple[str, bool, str]] = field(default_factory=list)  # (name, ok, detail)
    gas: list[dict[str, Any]] = field(default_factory=list)
    txs: list[str] = field(default_factory=list)  # the fork transactions of the legs (their storage writes count too)

    @property
    def ok(self) -> bool:
        return all(ok for _, ok, _ in self.checks)

    def check(self, name: str, ok: bool, detail: str) -> bool:
        self.checks.append((name, bool(ok), detail))
        return bool(ok)


def run_later_legs(w3: Any, plan: dict[str, Any], owners: list[str]) -> LegRun:
    """The legs after the Safe's on a fork where the Safe's leg just ran; nothing for a plan without them."""
    from upgrader.sim.reasons import errors_from

    g = plan.get("governance")
    run = LegRun()
    if not g:
        return run
    errors_from([abi.ERRORS])  # OpenZeppelin's custom errors, named in revert reasons
    if g["kind"] == "timelock":
        _timelock_legs(w3, plan, owners, run)
    else:
        _governor_legs(w3, plan, run)
    return run


def _sent(w3: Any, run: LegRun, name: str, sender: str, call: dict[str, Any]) -> bool:
    from upgrader.sim.reasons import revert_reason
    from upgrader.sim.runner import send_as

    receipt = send_as(w3, sender, call["to"], call["data"], int(call["value"]))
    tx = "0x" + bytes(receipt["transactionHash"]).hex()
    run.txs.append(tx)
    run.gas.append({"description": call["description"], "gas": int(receipt["gasUsed"])})
    if receipt["status"] != 1:
        return run.check(name, False, f"{call['description']} reverted: {revert_reason(w3, tx)}")
    return True


def _scheduled_then_ready(w3: Any, g: dict[str, Any], run: LegRun, label: str, executor: str) -> bool:
    """The plan's operation is waiting with at least the plan's delay; early execution by
    ``executor`` (who may execute it once ready) reverts; warp past it."""
    from upgrader.sim.runner import call_as, warp

    op_id, tl = g["operation"]["id"], g["timelock"]
    p = operation_progress(w3, tl, op_id, "", g["kind"])
    now = latest_timestamp(w3)
    min_delay = int(view(w3, tl, abi.GET_MIN_DELAY) or 0)
    if not run.check(f"{label}: scheduled", p.state == "scheduled" and p.ready_at is not None and p.ready_at - now >= min_delay,
                     f"operation {op_id} {p.text}; delay {duration((p.ready_at or now) - now)}, min delay {duration(min_delay)}"):
        return False
    early = call_as(w3, executor, g["execute"]["to"], g["execute"]["data"])
    if not run.check(f"{label}: not before its time", not early.ok, "executing it now reverts" + (f" ({early.reason})" if early.reason else "")
                     if not early.ok else "executing it before the delay is over SUCCEEDS: the delay does not hold"):
        return False
    warp(w3, p.ready_at - now)
    p = operation_progress(w3, tl, op_id, "", g["kind"])
    return run.check(f"{label}: ready", p.state == "ready", f"after moving the clock {duration(p.ready_at - now)}: {p.text}")


def _executed(w3: Any, g: dict[str, Any], run: LegRun, label: str) -> bool:
    p = operation_progress(w3, g["timelock"], g["operation"]["id"], "", g["kind"])
    return run.check(f"{label}: executed", p.state == "executed", f"operation {g['operation']['id']} {p.text}")


def _timelock_legs(w3: Any, plan: dict[str, Any], owners: list[str], run: LegRun) -> None:
    from upgrader.safe.tx import SafeTx
    from upgrader.sim.runner import ANYONE, run_safe_tx
    from upgrader.sim.safe_exec import safe_contract

    g = plan["governance"]
    executor = may_execute(g, plan["safe"]["address"])
    if not _scheduled_then_ready(w3, g, run, "timelock", executor):
        return
    call = g["execute"]
    if g["executor"] in ("anyone", "account"):
        if not _sent(w3, run, "timelock: execute", executor, call):
            return
        run.check("timelock: execute", True, f"executeBatch from a stranger {ANYONE} (the executor role is open)"
                  if g["executor"] == "anyone" else f"executeBatch from {executor}, which holds EXECUTOR_ROLE")
    else:
        safe = plan["safe"]["address"]
        nonce = safe_contract(w3, safe).functions.nonce().call()
        ex = run_safe_tx(w3, safe, SafeTx(to=call["to"], value=0, data=call["data"], operation=0, nonce=nonce), owners=owners)
        run.gas.append({"description": "Safe execTransaction (execute leg)", "gas": ex.gas_used or 0})
        run.txs += [ex.tx_hash] if ex.tx_hash else []
        if not run.check("timelock: execute", ex.ok, f"the Safe's execute leg {ex.safe_tx_hash}: "
                                                     + ("executeBatch ran" if ex.ok else f"failed: {ex.revert}")):
            return
    _executed(w3, g, run, "timelock")


def _advance_past(w3: Any, governor: str, timepoint: int) -> None:
    """Move the Governor's clock (ERC-6372: block number or timestamp) past ``timepoint``."""
    from upgrader.sim.runner import warp

    now = int(view(w3, governor, abi.CLOCK) or w3.eth.block_number)
    if now > timepoint:
        return
    mode = str(view(w3, governor, abi.CLOCK_MODE) or "mode=blocknumber")
    if "timestamp" in mode:
        warp(w3, timepoint - now + 1)
    else:
        w3.provider.make_request("anvil_mine", [hex(timepoint - now + 1)])  # Anvil mines the blocks at once


def voters(w3: Any, token: str) -> list[str]:
    """Every delegate the token ever announced (ERC20Votes ``DelegateVotesChanged``)."""
    from upgrader.chain.events import read_events, topic

    head = int(w3.eth.block_number)
    found: list[str] = []
    for ev in read_events(w3, [token], [topic("DelegateVotesChanged(address,uint256,uint256)")], 0, head, page=head + 1):
        who = to_checksum_address("0x" + ev.topics[1][-40:])
        if who not in found:
            found.append(who)
    return found


def _governor_legs(w3: Any, plan: dict[str, Any], run: LegRun) -> None:
    from upgrader.sim.runner import ANYONE, send_as

    g = plan["governance"]
    gov, pid = g["governor"], int(g["proposal"]["id"])
    state = proposal_state(w3, gov, pid)
    if not run.check("governor: proposed", state == "Pending", f"proposal {pid} is {state or 'unknown to the Governor'}"):
        return
    snapshot = int(view(w3, gov, abi.PROPOSAL_SNAPSHOT, pid))
    _advance_past(w3, gov, snapshot)
    token = view(w3, gov, abi.TOKEN)
    quorum = int(view(w3, gov, abi.QUORUM, snapshot) or 0)
    weights = sorted(((int(view(w3, token, abi.GET_PAST_VOTES, v, snapshot) or 0), v) for v in voters(w3, token)), reverse=True)
    cast, total = [], 0
    for weight, voter in weights:
        if total >= max(quorum, 1) or weight == 0:
            break
        receipt = send_as(w3, voter, gov, calldata(abi.CAST_VOTE, [pid, 1]))
        if receipt["status"] == 1:
            cast.append(voter)
            total += weight
    if not run.check("governor: votes", total >= quorum and bool(cast), f"{len(cast)} holder(s) voted For with {total} votes; quorum {quorum}"):
        return
    _advance_past(w3, gov, int(view(w3, gov, abi.PROPOSAL_DEADLINE, pid)))
    state = proposal_state(w3, gov, pid)
    if not run.check("governor: succeeded", state == "Succeeded", f"proposal {pid} is {state} after the voting period"):
        return
    if not _sent(w3, run, "governor: queue", ANYONE, g["queue"]):
        return
    eta = view(w3, gov, abi.PROPOSAL_ETA, pid)
    run.check("governor: queue", proposal_state(w3, gov, pid) == "Queued",
              f"queued by a stranger; the Timelock holds operation {g['operation']['id']}" + (f", ETA {utc(int(eta))}" if eta else ""))
    if not run.ok or not _scheduled_then_ready(w3, g, run, "governor", ANYONE):
        return
    if _sent(w3, run, "governor: execute", ANYONE, g["execute"]):
        run.check("governor: execute", proposal_state(w3, gov, pid) == "Executed", f"proposal {pid} executed by a stranger")
        _executed(w3, g, run, "governor")


def merge_writes(into: dict[str, dict[int, tuple[int, int]]], later: dict[str, dict[int, tuple[int, int]]]) -> None:
    """holder -> slot -> (before, after) of the whole path: the first value before, the last after."""
    for holder, slots in later.items():
        mine = into.setdefault(holder, {})
        for slot, (before, after) in slots.items():
            mine[slot] = (mine[slot][0], after) if slot in mine else (before, after)
