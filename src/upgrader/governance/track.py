"""Where each planned upgrade stands in its chain: for every plan under ``plans/`` made from the
manifest as it is now (so not yet recorded) with a governance leg, its operation or proposal
read from the chain. ``status``, ``propose``, ``execute`` and ``watch`` all ask this."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from upgrader.governance.base import Progress

if TYPE_CHECKING:
    from upgrader.manifest import Manifest
    from upgrader.stages.context import NetworkContext


def pending_plans(ctx: "NetworkContext", manifest: "Manifest") -> list[dict[str, Any]]:
    """Fresh plans of this network that go through a Timelock or Governor."""
    from upgrader.stages.planfile import made_from, network_plans

    return [p for p in network_plans(ctx.plans_dir, ctx.network.name, ctx.chain_id)
            if p.get("governance") and made_from(p, manifest)]


def progress_of(ctx: "NetworkContext", manifest: "Manifest", plan: dict[str, Any]) -> Progress | None:
    from upgrader.governance import plan_chain
    from upgrader.stages.sync import last_recorded_block

    return plan_chain(plan).progress(ctx.w3, manifest, plan, last_recorded_block(manifest))


def operations(ctx: "NetworkContext", manifest: "Manifest", include_unscheduled: bool = False) -> list[tuple[dict[str, Any], Progress]]:
    """(plan, progress) of every pending plan whose operation or proposal exists on chain."""
    out = []
    for plan in pending_plans(ctx, manifest):
        progress = progress_of(ctx, manifest, plan)
        if progress is not None and (include_unscheduled or progress.state != "not-scheduled"):
            out.append((plan, progress))
    return out


def by_proxy(ops: list[tuple[dict[str, Any], Progress]]) -> dict[str, Progress]:
    """The live operation (scheduled or ready; else the latest) of each proxy a plan upgrades."""
    out: dict[str, Progress] = {}
    for plan, progress in ops:
        for u in plan["upgrades"]:
            held = out.get(u["proxy"])
            if held is None or (held.state not in ("scheduled", "ready") and progress.state in ("scheduled", "ready")):
                out[u["proxy"]] = progress
    return out


def find_plan(ctx: "NetworkContext", manifest: "Manifest", wanted: str, pending: bool = True) -> dict[str, Any] | None:
    """The pending plan (``pending=False``: any governed plan of the network) whose operation id,
    proposal id, plan hash or batch hash is ``wanted``."""
    from upgrader.stages.planfile import network_plans

    key = wanted.lower()
    plans = pending_plans(ctx, manifest) if pending else [
        p for p in network_plans(ctx.plans_dir, ctx.network.name, ctx.chain_id) if p.get("governance")]
    for plan in plans:
        g = plan["governance"]
        ids = {g["operation"]["id"].lower(), plan["plan_hash"].lower(), g["batch_hash"].lower()}
        if g.get("proposal"):
            ids |= {g["proposal"]["id"], hex(int(g["proposal"]["id"]))}
        if key in ids:
            return plan
    return None


def executed_operations(ctx: "NetworkContext", manifest: "Manifest", start: int, end: int) -> dict[str, dict[str, Any]]:
    """tx → the governed plan whose Timelock operation that transaction executed (its
    ``CallExecuted`` events): ``sync`` and ``watch`` then know an upgrade made through the
    Timelock (by any executor, or by the Governor) as the plan's."""
    from upgrader.chain.events import read_events
    from upgrader.governance import abi
    from upgrader.stages.planfile import network_plans

    if manifest.governance is None or start > end:
        return {}
    by_op = {p["governance"]["operation"]["id"].lower(): p
             for p in network_plans(ctx.plans_dir, ctx.network.name, ctx.chain_id) if p.get("governance")}
    out: dict[str, dict[str, Any]] = {}
    for ev in read_events(ctx.w3, [manifest.governance.timelock.address], [abi.CALL_EXECUTED], start, end):
        plan = by_op.get(ev.topics[1].lower())
        if plan is not None:
            out[ev.tx] = plan
    return out
