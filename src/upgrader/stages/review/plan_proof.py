"""``upgrader review --plan``: prove the batch is exactly the plan's calls, in order, and show
what the plan already established (layout verdicts, the simulation)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from upgrader.inputs import read_json
from upgrader.inputs.pipeline_files import SimulationFile
from upgrader.inputs.safe_files import validated
from upgrader.stages.planfile import load_plan, made_from
from upgrader.stages.review.decode import CallNode
from upgrader.stages.review.rules import ReviewWarning
from upgrader.safe.multisend import Call
from upgrader.safe.tx import DELEGATECALL, SafeTx

PLAN_HASH_LENGTH = 66


def resolve_plan(arg: str, plans_dir: Path | None) -> tuple[dict[str, Any], Path]:
    """PLAN as a path, or as a plan hash under ``plans_dir``."""
    path = Path(arg)
    if not path.exists() and arg.startswith("0x") and len(arg) == PLAN_HASH_LENGTH and plans_dir is not None:
        path = plans_dir / f"{arg.lower()}.json"
    return load_plan(path), path


def find_plan(plans_dir: Path | None, manifest: Any, root: CallNode, safe: str, chain_id: int,
              recorded: str | None = None) -> tuple[dict[str, Any], Path] | None:
    """The plan of this batch under ``plans_dir`` (``deployments/<net>/plans/``), without --plan:
    the one the proposal file records (``meta.planHash``), else the Safe transaction (leg) of a
    plan made from the manifest as it is whose calls are the batch's, in order. None when no
    plan is the batch's (a foreign batch: the review judges it without a plan)."""
    from upgrader.governance.legs import safe_legs
    from upgrader.stages.planfile import network_plans

    if plans_dir is None or manifest is None or manifest.chain_id != chain_id:
        return None
    actual = effective_calls(root)
    matching = []
    for plan in network_plans(plans_dir, manifest.network, chain_id):
        if plan["safe"]["address"].lower() != safe.lower():
            continue
        legs = [leg for leg in safe_legs(plan) if not _differences(actual, [_plan_call(c) for c in leg["calls"]])]
        if recorded is not None and plan["plan_hash"] == recorded.lower():  # its leg of the batch, else the plan (mismatch)
            return (legs[0] if legs else plan), plans_dir / f"{plan['plan_hash']}.json"
        matching += [(made_from(plan, manifest), leg) for leg in legs]
    fresh = [leg for is_fresh, leg in matching if is_fresh] or [leg for _, leg in matching]
    if not fresh:
        return None
    return fresh[0], plans_dir / f"{fresh[0]['plan_hash']}.json"


def load_simulation(plan_path: Path, plan_hash: str) -> dict[str, Any] | None:
    path = plan_path.parent / f"{plan_hash}.simulation.json"
    if not path.is_file():
        return None
    sim = read_json(path, "simulation")
    if not isinstance(sim, dict):
        return None
    validated(SimulationFile, sim, f"simulation {path}")
    return sim


def effective_calls(root: CallNode) -> list[Call]:
    """The calls the Safe makes: a DELEGATECALLed batch's inner calls, else the one call."""
    if root.is_batch and root.call.operation == DELEGATECALL:
        return [n.call for n in root.calls or []]
    return [root.call]


def _plan_call(c: dict[str, Any]) -> Call:
    return Call(c["to"], c["data"], int(c["value"]), int(c.get("operation", 0)))


def _differences(actual: list[Call], planned: list[Call]) -> list[str]:
    out = []
    for i in range(max(len(actual), len(planned))):
        a = actual[i] if i < len(actual) else None
        p = planned[i] if i < len(planned) else None
        if a == p:
            continue
        if a is None:
            out.append(f"call {i + 1}: the plan's call to {p.to} is missing from the batch")  # type: ignore[union-attr]
        elif p is None:
            out.append(f"call {i + 1}: the batch has an extra call to {a.to} the plan does not make")
        else:
            fields = [f for f in ("to", "value", "data", "operation") if getattr(a, f) != getattr(p, f)]
            out.append(f"call {i + 1}: {', '.join(fields)} differ from the plan's call to {p.to}")
    return out


def stale_against(plan: dict[str, Any], manifest: Any) -> bool:
    """The plan was made from another state of this network's manifest than the one here
    (an upgrade was executed or the manifest edited since): its proof is about that state."""
    if manifest is None or int(plan["chain_id"]) != manifest.chain_id:
        return False
    if plan["safe"]["address"].lower() != manifest.safe.address.lower():
        return False
    return not made_from(plan, manifest)


def executed_entry(plan: dict[str, Any], manifest: Any, safe_tx_hash: str | None) -> Any:
    """The manifest's record of this plan executed as Safe transaction ``safe_tx_hash``, or None."""
    if manifest is None or not safe_tx_hash:
        return None
    return next((e for p in manifest.proxies for e in p.history
                 if (e.safe_tx_hash or "").lower() == safe_tx_hash.lower() and e.plan_hash == plan["plan_hash"]), None)


def compare_with_plan(plan: dict[str, Any], plan_path: Path, root: CallNode, tx: SafeTx | None,
                      safe: str, chain_id: int, manifest: Any = None,
                      safe_tx_hash: str | None = None) -> tuple[dict[str, Any], list[ReviewWarning]]:
    from upgrader.stages.batch import plan_safe_tx

    warnings: list[ReviewWarning] = []
    stale = stale_against(plan, manifest)
    executed = executed_entry(plan, manifest, safe_tx_hash) if stale else None
    if executed is not None:  # the manifest moved on because this very batch ran: not a reason for red
        warnings.append(ReviewWarning("already-executed", (
            f"this Safe transaction was executed in tx {executed.tx} (block {executed.block}), as the {plan['network']} "
            f"manifest records; nothing is left to sign (what follows is what plan {plan['plan_hash'][:18]}… proved before it ran)")))
    elif stale:
        warnings.append(ReviewWarning("plan-stale", (
            f"plan {plan['plan_hash'][:18]}… was made from an earlier state of the {plan['network']} manifest "
            "(an upgrade was executed or the manifest changed since); what it proves is about that state: "
            "re-run `upgrader plan` and `upgrader simulate`")))
    diffs = _differences(effective_calls(root), [_plan_call(c) for c in plan["calls"]])
    if plan["safe"]["address"].lower() != safe.lower() or int(plan["chain_id"]) != chain_id:
        diffs.insert(0, f"the plan is for Safe {plan['safe']['address']} on chain {plan['chain_id']}, the batch for {safe} on chain {chain_id}")
    if not diffs and tx is not None:
        try:
            expected = plan_safe_tx(plan, tx.nonce)
        except ValueError as exc:
            diffs.append(str(exc))
        else:
            fields = [f for f in ("to", "value", "data", "operation") if getattr(expected, f) != getattr(tx, f)]
            if fields:
                diffs.append(f"the Safe transaction's {', '.join(fields)} differ from the plan's (e.g. another MultiSend)")
    warnings += [ReviewWarning("plan-mismatch", f"batch differs from plan {plan['plan_hash'][:18]}…: {d}") for d in diffs]
    for u in plan["upgrades"]:
        if not u["check"]["ok"]:
            warnings.append(ReviewWarning("checker-rejects", f"plan: upgrading {u['proxy']} to {u['to']['contract']} is rejected by the checker"))
    sim = load_simulation(plan_path, plan["plan_hash"])
    if sim is None:
        warnings.append(ReviewWarning("not-simulated", f"plan {plan['plan_hash'][:18]}… was not simulated; run `upgrader simulate` first"))
    elif not sim.get("ok") or sim.get("plan_hash") != plan["plan_hash"]:
        failed = [c["name"] for c in sim.get("checks", []) if not c.get("ok")]
        warnings.append(ReviewWarning("simulation-failed", f"the simulation of the plan failed: {', '.join(failed) or 'no checks passed'}"))
    section = {
        "plan_hash": plan["plan_hash"],
        "path": str(plan_path),
        "matches": not diffs,
        "stale": stale and executed is None,
        "executed": None if executed is None else {"tx": executed.tx, "block": executed.block},
        "differences": diffs,
        "upgrades": [{
            "proxy": u["proxy"], "address": u["address"], "from": u["from"]["contract"], "to": u["to"]["contract"],
            "implementation": u["to"]["implementation"], "init": u["init"]["function"],
            "check": {"ok": u["check"]["ok"], "errors": u["check"]["errors"], "warnings": u["check"]["warnings"]},
        } for u in plan["upgrades"]],
        "simulation": None if sim is None else {
            "ok": bool(sim.get("ok")), "fork_block": sim.get("fork_block"),
            "checks": [{"name": c["name"], "ok": c["ok"], "detail": c.get("detail", "")} for c in sim.get("checks", [])],
        },
    }
    return section, warnings
