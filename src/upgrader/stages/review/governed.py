"""Review of what a Timelock or Governor will run later (``upgrader.governance``).

Decoding: a call to the manifest's TimelockController (``schedule``/``scheduleBatch``,
``execute``/``executeBatch``) or Governor (``propose``/``queue``/``execute``) gets its scheduled
calls as children, decoded like any call (so every rule sees the proxy calls inside, and an
upgrade's implementation deployed earlier in the batch is tied to the build). The operation
or proposal id is recomputed (``governance.operation``, OpenZeppelin's own encodings).

Red warnings (``KINDS``): a scheduled call not in the plan, a delay below the Timelock's
minimum, a predecessor or salt other than the plan's, an execute whose operation is not the
scheduled (or planned) one, ``updateDelay``/role changes on the Timelock, and a ``cancel`` of a
planned operation."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from eth_utils import to_checksum_address

from upgrader.governance import abi
from upgrader.governance.base import duration, utc
from upgrader.governance.operation import GovernorProposal, TimelockOperation, governor_salt, proposal_id
from upgrader.safe.multisend import Call
from upgrader.stages.review.rules import KINDS as REVIEW_KINDS
from upgrader.stages.review.rules import ReviewWarning, where

if TYPE_CHECKING:
    from upgrader.build.artifacts import Artifact
    from upgrader.stages.review.decode import CallNode, Decoder

KINDS = {"unplanned-scheduled-call": "red", "timelock-delay-too-short": "red", "timelock-predecessor-mismatch": "red",
         "timelock-salt-mismatch": "red", "execute-mismatch": "red", "timelock-settings-change": "red",
         "cancels-planned-operation": "red", "timelock-cancel": "yellow"}
REVIEW_KINDS.update(KINDS)  # one table of kinds for the whole review
SCHEDULES = {"schedule", "scheduleBatch"}
EXECUTES = {"execute", "executeBatch"}
PROPOSALS = {"propose", "queue", "execute", "cancel"}
TIMELOCK_SETTINGS = {"updateDelay", "grantRole", "revokeRole", "renounceRole"}


def contracts(manifest: Any) -> list[tuple[str, str, "Artifact"]]:
    """(address, name, ABI as an Artifact) of the manifest's Timelock and Governor."""
    from upgrader.build.artifacts import Artifact

    g = getattr(manifest, "governance", None)
    if g is None:
        return []
    out = [(g.timelock.address, f"TimelockController (OZ {g.timelock.oz_version}.x) owning the proxies",
            Artifact("upgrader.governance", "TimelockController", abi.TIMELOCK_ABI, b"", b"", (), None))]
    if g.governor is not None:
        out.append((g.governor.address, f"{g.governor.name} (Governor, OZ {g.governor.oz_version}.x)",
                    Artifact("upgrader.governance", g.governor.name, abi.GOVERNOR_ABI, b"", b"", (), None)))
    return out


def _kind_at(decoder: "Decoder", address: str) -> str | None:
    art = decoder.book.contract_of.get(to_checksum_address(address))
    if art is None or art.source != "upgrader.governance":
        return None
    return "timelock" if art.name == "TimelockController" else "governor"


def expand(decoder: "Decoder", node: "CallNode", depth: int) -> None:
    """Give a Timelock/Governor call its scheduled calls as children (paths ``<path>.1`` …)."""
    kind = _kind_at(decoder, node.call.to)
    if kind is None or node.function is None or node.error:
        return
    if kind == "timelock" and node.function in SCHEDULES | EXECUTES:
        if node.function.endswith("Batch"):
            triples = list(zip(node.arg("targets"), node.arg("values"), node.arg("payloads")))
        else:
            triples = [(node.arg("target"), node.arg("value"), node.arg("data") if node.function == "schedule" else node.arg("payload"))]
    elif kind == "governor" and node.function in PROPOSALS:
        triples = list(zip(node.arg("targets"), node.arg("values"), node.arg("calldatas")))
    else:
        return
    node.calls = [decoder.decode(Call(to_checksum_address(t), bytes(d), int(v)), f"{node.path}.{i + 1}", depth + 1)
                  for i, (t, v, d) in enumerate(triples)]


def operation_of(node: "CallNode") -> TimelockOperation:
    if node.function and node.function.endswith("Batch"):
        return TimelockOperation(tuple(to_checksum_address(t) for t in node.arg("targets")), tuple(node.arg("values")),
                                 tuple(bytes(p) for p in node.arg("payloads")), bytes(node.arg("predecessor")), bytes(node.arg("salt")))
    data = node.arg("data") if node.function == "schedule" else node.arg("payload")
    return TimelockOperation((to_checksum_address(node.arg("target")),), (node.arg("value"),), (bytes(data),),
                             bytes(node.arg("predecessor")), bytes(node.arg("salt")))


def review_governed(root: "CallNode", manifest: Any, plan: dict[str, Any] | None,
                    planned_ids: set[str] = frozenset()) -> tuple[list[dict[str, Any]], list[ReviewWarning]]:
    """(one entry per Timelock/Governor call: ids recomputed, delay and ETA; the red warnings)."""
    g = getattr(manifest, "governance", None)
    if g is None:
        return [], []
    timelock = g.timelock.address
    governor = g.governor.address if g.governor else None
    planned = (plan or {}).get("governance")
    ids = {i.lower() for i in planned_ids} | ({planned["operation"]["id"].lower()} if planned else set())
    section: list[dict[str, Any]] = []
    warnings: list[ReviewWarning] = []
    scheduled: set[str] = set()
    for node in root.walk():
        to = to_checksum_address(node.call.to)
        if to == timelock and node.function in SCHEDULES and not node.error:
            op = operation_of(node)
            scheduled.add("0x" + op.id.hex())
            section.append(_schedule_entry(node, op, g.timelock.min_delay))
            warnings += _schedule_rules(node, op, g.timelock.min_delay, planned)
        elif to == timelock and node.function in EXECUTES and not node.error:
            op = operation_of(node)
            section.append({"path": node.path, "kind": "timelock-execute", "operation_id": "0x" + op.id.hex(), "calls": len(op.targets)})
            warnings += _execute_rules(node, "0x" + op.id.hex(), scheduled, planned, "operation")
        elif to == timelock and node.function in TIMELOCK_SETTINGS:
            warnings.append(ReviewWarning("timelock-settings-change", (
                f"{where(node)} changes the Timelock {timelock} itself (its delay or who may propose, cancel or execute): "
                "the chain of authority would no longer be what the manifest records"), node.path))
        elif to == timelock and node.function == "cancel":
            target = "0x" + bytes(node.arg("id")).hex()
            kind = "cancels-planned-operation" if target.lower() in ids else "timelock-cancel"
            warnings.append(ReviewWarning(kind, f"{where(node)} cancels operation {target}"
                                          + (", one of upgrader's planned operations" if kind.startswith("cancels") else ""), node.path))
        elif governor and to == governor and node.function in PROPOSALS and not node.error:
            section.append(_proposal_entry(node, governor, g))
            warnings += _proposal_rules(node, planned, section[-1])
    return section, warnings


def _schedule_entry(node: "CallNode", op: TimelockOperation, min_delay: int) -> dict[str, Any]:
    delay = int(node.arg("delay"))
    return {"path": node.path, "kind": "timelock-schedule", "operation_id": "0x" + op.id.hex(), "calls": len(op.targets),
            "delay": delay, "delay_text": duration(delay), "min_delay": min_delay, "salt": "0x" + op.salt.hex(),
            "predecessor": "0x" + op.predecessor.hex(), "eta_if_executed_now": utc(int(time.time()) + delay)}


def _schedule_rules(node: "CallNode", op: TimelockOperation, min_delay: int, planned: dict[str, Any] | None) -> list[ReviewWarning]:
    out = []
    delay = int(node.arg("delay"))
    floor = max(min_delay, int((planned or {}).get("min_delay") or 0))
    if delay < floor:
        out.append(ReviewWarning("timelock-delay-too-short", (
            f"{where(node)} schedules with delay {duration(delay)} ({delay} s), below the Timelock's minimum "
            f"{duration(floor)} ({floor} s): the schedule reverts, or the minimum was lowered"), node.path))
    if planned is None:
        return out
    want = TimelockOperation.from_json(planned["operation"])
    if op.predecessor != want.predecessor:
        out.append(ReviewWarning("timelock-predecessor-mismatch", (
            f"{where(node)}: predecessor 0x{op.predecessor.hex()}, the plan's is 0x{want.predecessor.hex()}: "
            "the operation would wait for (or skip) another operation"), node.path))
    if op.salt != want.salt:
        out.append(ReviewWarning("timelock-salt-mismatch", (
            f"{where(node)}: salt 0x{op.salt.hex()}, the plan's is 0x{want.salt.hex()} (its batch hash): "
            "this is another operation than the planned one"), node.path))
    out += _unplanned(node, list(zip(op.targets, op.values, op.payloads)), list(zip(want.targets, want.values, want.payloads)))
    return out


def _unplanned(node: "CallNode", actual: list[tuple[str, int, bytes]], planned: list[tuple[str, int, bytes]]) -> list[ReviewWarning]:
    left = list(planned)
    out = []
    for i, call in enumerate(actual):
        if call in left:
            left.remove(call)
            continue
        child = node.calls[i] if node.calls and i < len(node.calls) else None
        shown = child.summary() if child is not None else f"call to {call[0]}"
        out.append(ReviewWarning("unplanned-scheduled-call", (
            f"call {node.path}.{i + 1} scheduled to run later, {shown}, is not in the plan: it would run with the "
            "Timelock's authority once the delay is over"), f"{node.path}.{i + 1}"))
    out += [ReviewWarning("unplanned-scheduled-call", f"{where(node)}: the plan's call to {c[0]} is missing from what is scheduled",
                          node.path) for c in left]
    return out


def _execute_rules(node: "CallNode", op_id: str, scheduled: set[str], planned: dict[str, Any] | None, what: str) -> list[ReviewWarning]:
    expected = {planned["operation"]["id"].lower()} if planned else set()
    expected |= {s.lower() for s in scheduled}
    if not expected or op_id.lower() in expected:
        return []
    return [ReviewWarning("execute-mismatch", (
        f"{where(node)} executes {what} {op_id}, but the {'plan' if planned else 'batch'} schedules "
        f"{', '.join(sorted(expected))}: the execute payload differs from the scheduled one"), node.path)]


def _proposal_entry(node: "CallNode", governor: str, g: Any) -> dict[str, Any]:
    targets = tuple(to_checksum_address(t) for t in node.arg("targets"))
    values, calldatas = tuple(node.arg("values")), tuple(bytes(c) for c in node.arg("calldatas"))
    description_hash = (GovernorProposal(targets, values, calldatas, node.arg("description")).description_hash
                        if node.function == "propose" else bytes(node.arg("descriptionHash")))
    op = TimelockOperation(targets, values, calldatas, bytes(32), governor_salt(governor, g.governor.oz_version, description_hash))
    return {"path": node.path, "kind": f"governor-{node.function}", "calls": len(targets),
            "proposal_id": str(proposal_id(targets, values, calldatas, description_hash)),
            "description_hash": "0x" + description_hash.hex(), "operation_id": "0x" + op.id.hex(),
            "min_delay": g.timelock.min_delay, "delay_text": duration(g.timelock.min_delay)}


def _proposal_rules(node: "CallNode", planned: dict[str, Any] | None, entry: dict[str, Any]) -> list[ReviewWarning]:
    if planned is None or "proposal" not in planned:
        return []
    want = GovernorProposal.from_json(planned["proposal"])
    if node.function != "propose":
        return _execute_rules(node, entry["operation_id"], set(), planned, "the proposal's operation")
    got = list(zip((to_checksum_address(t) for t in node.arg("targets")), node.arg("values"), (bytes(c) for c in node.arg("calldatas"))))
    out = _unplanned(node, got, list(zip(want.targets, want.values, want.calldatas)))
    if not out and entry["proposal_id"] != planned["proposal"]["id"]:
        out.append(ReviewWarning("timelock-salt-mismatch", (
            f"{where(node)}: the description differs from the plan's (proposal {entry['proposal_id']}, planned "
            f"{planned['proposal']['id']}): the Timelock salt and the operation differ too"), node.path))
    return out


def planned_operations(manifest: Any, proposals_dir: Any) -> set[str]:
    """Operation ids of the governed plans beside the proposals (``deployments/<n>/plans``)."""
    from upgrader.stages.planfile import network_plans

    if manifest is None or getattr(manifest, "governance", None) is None or proposals_dir is None:
        return set()
    plans = network_plans(proposals_dir.parent / "plans", manifest.network, manifest.chain_id)
    return {p["governance"]["operation"]["id"].lower() for p in plans if p.get("governance")}


def render_lines(section: list[dict[str, Any]]) -> list[str]:
    out = []
    for e in section:
        if e["kind"] == "timelock-schedule":
            out.append(f"- `{e['path']}` schedules operation `{e['operation_id']}` ({e['calls']} calls): delay {e['delay_text']} "
                       f"(minimum {duration(e['min_delay'])}), ready at {e['eta_if_executed_now']} if executed now; "
                       f"salt `{e['salt']}`, predecessor `{e['predecessor']}`")
        elif e["kind"] == "timelock-execute":
            out.append(f"- `{e['path']}` executes operation `{e['operation_id']}` ({e['calls']} calls)")
        else:
            out.append(f"- `{e['path']}` {e['kind'].split('-', 1)[1]} proposal {e['proposal_id']} ({e['calls']} calls; "
                       f"description hash `{e['description_hash']}`); the Timelock runs it as operation `{e['operation_id']}` "
                       f"at least {e['delay_text']} after it is queued")
    return out
