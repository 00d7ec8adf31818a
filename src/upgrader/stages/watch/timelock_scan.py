"""Findings from the manifest's TimelockController and Governor (``upgrader.governance``),
read from their events with the one paged reader ``chain.events`` (the Timelock has no view
that lists operations: its events are the only record of what is pending):

- ``unplanned-schedule``: ``CallScheduled`` of an operation no plan explains whose calls touch
  our proxies, ProxyAdmin, beacon, the Timelock or the Safe; with the decoded calls, the ETA and
  the review's verdict of the operation;
- ``operation-cancelled`` (``Cancelled``), ``min-delay-changed`` (``MinDelayChange``),
  ``timelock-role-changed`` (``RoleGranted``/``RoleRevoked``, unless the manifest's governance
  record already holds its outcome: the grants a team makes before ``import``, e.g. the Safe's
  ``PROPOSER_ROLE``, are what import recorded, not drift);
- ``proposal-created``: the Governor's ``ProposalCreated`` touching our contracts, no plan's;
- ``scheduled-operation-due``: a planned operation that became ready (once per operation)."""

from __future__ import annotations

from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import to_checksum_address

from upgrader.chain.events import read_events
from upgrader.governance import abi
from upgrader.governance.base import utc, view
from upgrader.stages.watch.kinds import WatchFinding

TIMELOCK_TOPICS = [abi.CALL_SCHEDULED, abi.CANCELLED, abi.MIN_DELAY_CHANGE, abi.ROLE_GRANTED, abi.ROLE_REVOKED]


def _planned(ctx: Any) -> tuple[set[str], set[int]]:
    """Operation ids and proposal ids of every governed plan of the network."""
    from upgrader.stages.planfile import network_plans

    ops, proposals = set(), set()
    for p in network_plans(ctx.plans_dir, ctx.network.name, ctx.chain_id):
        g = p.get("governance")
        if g:
            ops.add(g["operation"]["id"].lower())
            if g.get("proposal"):
                proposals.add(int(g["proposal"]["id"]))
    return ops, proposals


def _ours(manifest: Any) -> set[str]:
    from upgrader.proxies import kind_of

    out = {manifest.safe.address, manifest.governance.timelock.address}
    for p in manifest.proxies:
        out |= {*kind_of(p).storage_holders(p), *kind_of(p).upgrade_targets(p)}
    return {to_checksum_address(a) for a in out}


def _decoded(ctx: Any, manifest: Any, calls: list[tuple[str, int, bytes]], timelock: str) -> tuple[list[str], bool, list[str]]:
    """(each call's summary, review ok, red kinds) of the calls as the Safe would schedule them."""
    from upgrader.governance.operation import TimelockOperation
    from upgrader.safe.multisend import Call
    from upgrader.stages.review.decode import AddressBook, Decoder, artifacts_of
    from upgrader.stages.review.context import network_context
    from upgrader.stages.review.report import review
    from upgrader.stages.review.subject import subject_from_json

    arts = artifacts_of(ctx.build_info)
    decoder = Decoder(AddressBook(manifest, arts, manifest.safe.address), arts)
    shown = [decoder.decode(Call(t, d, v)).summary() for t, v, d in calls]
    op = TimelockOperation(tuple(t for t, _, _ in calls), tuple(v for _, v, _ in calls), tuple(d for _, _, d in calls))
    subject = subject_from_json({"to": timelock, "value": "0", "data": "0x" + op.schedule_data(manifest.governance.timelock.min_delay).hex(),
                                 "operation": 0, "nonce": "0", "safe": manifest.safe.address, "chainId": ctx.chain_id}, "watch")
    # a made-up schedule at nonce 0: no proposal files to compare nonces with, no plan of its own
    report = review(subject, network_context(ctx, manifest, proposals_dir=None, plans_dir=None))
    return shown, report.ok, sorted({w.kind for w in report.red})


def _recorded(tl: Any, role: bytes, account: str) -> bool | None:
    """Whether the manifest's Timelock record has ``account`` holding ``role`` (None: a role it does not record)."""
    from upgrader.constants import ZERO_ADDRESS

    if role == abi.EXECUTOR_ROLE and account == ZERO_ADDRESS:
        return tl.executor_open
    held = {abi.PROPOSER_ROLE: tl.proposers, abi.CANCELLER_ROLE: tl.cancellers, abi.EXECUTOR_ROLE: tl.executors}.get(role)
    return None if held is None else account in {to_checksum_address(a) for a in held}


def timelock_findings(ctx: Any, manifest: Any, start: int, end: int) -> list[WatchFinding]:
    g = manifest.governance
    if g is None or start > end:
        return []
    timelock = g.timelock.address
    ops, proposals = _planned(ctx)
    ours = _ours(manifest)
    scheduled: dict[str, dict[str, Any]] = {}
    out: list[WatchFinding] = []
    addresses = [timelock, *([g.governor.address] if g.governor else [])]
    for ev in read_events(ctx.w3, addresses, [*TIMELOCK_TOPICS, abi.PROPOSAL_CREATED], start, end):
        key = f"event:{ev.tx}:{ev.log_index}"
        if ev.topics[0] == abi.CALL_SCHEDULED:
            target, value, data, predecessor, delay = abi_decode(abi.CALL_SCHEDULED_DATA_TYPES, ev.data)
            entry = scheduled.setdefault(ev.topics[1], {"calls": [], "tx": ev.tx, "block": ev.block, "delay": delay, "key": key})
            entry["calls"].append((to_checksum_address(target), int(value), bytes(data)))
        elif ev.topics[0] == abi.CANCELLED:
            op = ev.topics[1]
            planned = op.lower() in ops
            out.append(WatchFinding("operation-cancelled", key, (
                f"operation {op} of the Timelock {timelock} was cancelled in tx {ev.tx} (block {ev.block})"
                + ("; it was one of upgrader's planned operations" if planned else "")),
                {"timelock": timelock, "operation_id": op, "planned": planned, "tx": ev.tx, "block": ev.block}))
        elif ev.topics[0] == abi.MIN_DELAY_CHANGE:
            old, new = abi_decode(["uint256", "uint256"], ev.data)
            out.append(WatchFinding("min-delay-changed", key, (
                f"the Timelock {timelock} minimum delay changed from {old} s to {new} s in tx {ev.tx} (block {ev.block})"),
                {"timelock": timelock, "before": old, "after": new, "tx": ev.tx, "block": ev.block}))
        elif ev.topics[0] in (abi.ROLE_GRANTED, abi.ROLE_REVOKED):
            role = bytes.fromhex(ev.topics[1][2:])
            account = to_checksum_address("0x" + ev.topics[2][-40:])
            if _recorded(g.timelock, role, account) is (ev.topics[0] == abi.ROLE_GRANTED):
                continue  # the recorded chain of authority has this outcome already (seen on gwalen/erc20_swapper_task@a10c00f)
            verb = "granted to" if ev.topics[0] == abi.ROLE_GRANTED else "revoked from"
            name = abi.ROLE_NAMES.get(role, ev.topics[1])
            out.append(WatchFinding("timelock-role-changed", key, (
                f"the Timelock {timelock}: {name} {verb} {account} in tx {ev.tx} (block {ev.block})"),
                {"timelock": timelock, "role": name, "account": account, "granted": ev.topics[0] == abi.ROLE_GRANTED,
                 "tx": ev.tx, "block": ev.block}))
        elif ev.topics[0] == abi.PROPOSAL_CREATED:
            out += _proposal(ctx, manifest, ev, key, ours, proposals)
    for op, entry in scheduled.items():
        if op.lower() in ops or not any(t in ours for t, _, _ in entry["calls"]):
            continue
        shown, ok, red_kinds = _decoded(ctx, manifest, entry["calls"], timelock)
        ready = int(view(ctx.w3, timelock, abi.GET_TIMESTAMP, bytes.fromhex(op[2:])) or 0)
        eta = utc(ready) if ready > 1 else "not pending any more"
        verdict = "DO NOT LET IT RUN: " + ", ".join(red_kinds) if red_kinds else "no red warnings"
        out.append(WatchFinding("unplanned-schedule", entry["key"], (
            f"operation {op} scheduled in the Timelock {timelock} in tx {entry['tx']} (block {entry['block']}), ready at {eta}, "
            f"matches no plan and touches our contracts: {'; '.join(shown)}; review: {verdict}"),
            {"timelock": timelock, "operation_id": op, "calls": shown, "ready_at": ready if ready > 1 else None, "eta": eta,
             "delay": entry["delay"], "tx": entry["tx"], "block": entry["block"], "review_ok": ok, "red": red_kinds}))
    return out


def _proposal(ctx: Any, manifest: Any, ev: Any, key: str, ours: set[str], proposals: set[int]) -> list[WatchFinding]:
    pid, proposer, targets, values, _, calldatas, start, end, _ = abi_decode(abi.PROPOSAL_CREATED_TYPES, ev.data)
    targets = [to_checksum_address(t) for t in targets]
    if pid in proposals or not any(t in ours for t in targets):
        return []
    shown, ok, red_kinds = _decoded(ctx, manifest, list(zip(targets, values, (bytes(c) for c in calldatas))), manifest.governance.timelock.address)
    return [WatchFinding("proposal-created", key, (
        f"proposal {pid} created in the Governor {ev.address} by {to_checksum_address(proposer)} in tx {ev.tx}, voting "
        f"{start}..{end}, matches no plan and touches our contracts: {'; '.join(shown)}"),
        {"governor": ev.address, "proposal_id": str(pid), "proposer": to_checksum_address(proposer), "calls": shown,
         "vote_start": start, "vote_end": end, "review_ok": ok, "red": red_kinds, "tx": ev.tx, "block": ev.block})]


def _sender_hint(plan: dict[str, Any]) -> str:
    """`` --sender <executor>`` when only some accounts may execute the plan's operation."""
    g = plan["governance"]
    return f" --sender <{' | '.join(g['executors'])}>" if g.get("executor") == "account" else ""


def due_findings(ctx: Any, manifest: Any) -> list[WatchFinding]:
    """A planned operation that is ready to execute now (reported once per operation)."""
    if manifest.governance is None:
        return []
    from upgrader.governance.track import operations

    return [WatchFinding("scheduled-operation-due", f"due:{p.id}", (
        f"{p.chain} {p.id} of plan {plan['plan_hash']} is {p.text}: `upgrader execute {p.id}{_sender_hint(plan)}` runs it"),
        {"plan_hash": plan["plan_hash"], "id": p.id, "ready_at": p.ready_at, "proxies": [u["proxy"] for u in plan["upgrades"]]})
        for plan, p in operations(ctx, manifest) if p.state in ("ready", "succeeded")]
