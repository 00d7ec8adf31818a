"""A governed plan's legs as the pipeline sees them. The plan itself is the Safe's first leg
(``calls``: CREATE2 deployments + ``scheduleBatch`` or ``propose``); when only the Safe may
execute the Timelock's operation, the execute leg is a Safe transaction too: the same plan with
``calls`` = ``[executeBatch]`` and ``"leg": "execute"`` (never re-sealed: its ``plan_hash`` is
the plan's, so its simulation is the plan's, which ran both legs).

``propose`` proposes the next leg the chain is waiting for (``next_safe_leg``); ``execute``
verifies a first leg as scheduled instead of upgraded, and records nothing until the last leg
ran (``first_leg_outcome``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from upgrader.errors import InputError, UnsafeError

if TYPE_CHECKING:
    from upgrader.stages.context import NetworkContext

EXECUTE_LEG = "execute"


def is_first_leg(plan: dict[str, Any]) -> bool:
    """A governed plan whose Safe transaction does not upgrade yet (it schedules or proposes)."""
    return bool(plan.get("governance")) and plan.get("leg") is None


def execute_leg(plan: dict[str, Any]) -> dict[str, Any]:
    return {**plan, "calls": [plan["governance"]["execute"]], "leg": EXECUTE_LEG}


def safe_legs(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Safe transaction the plan makes: the plan, and its execute leg when the Safe executes."""
    g = plan.get("governance")
    return [plan, execute_leg(plan)] if g and g.get("kind") == "timelock" and g.get("executor") == "safe" else [plan]


def next_safe_leg(ctx: "NetworkContext", plan: dict[str, Any]) -> dict[str, Any]:
    """What ``propose`` should queue for this plan now: the first leg until its operation or
    proposal is on chain (again after a cancel), then the Safe's execute leg, if it has one."""
    if not is_first_leg(plan):
        return plan
    from upgrader.governance.track import progress_of

    progress = progress_of(ctx, ctx.manifest(), plan)
    if progress is None or progress.state in ("not-scheduled", "cancelled"):
        return plan
    what = "operation" if progress.chain == "timelock" else "proposal"
    if progress.state in ("scheduled", "ready") and len(safe_legs(plan)) > 1:
        return execute_leg(plan)
    if progress.state == "executed":
        raise InputError(f"{what} {progress.id} of plan {plan['plan_hash']} was already executed; "
                         f"`upgrader execute {progress.id}` records it if the manifest does not yet")
    raise InputError(f"the Safe's leg of plan {plan['plan_hash']} is done: {what} {progress.id} is {progress.text}; "
                     f"`upgrader execute {progress.id}` runs the next step when it can")


def first_leg_outcome(ctx: "NetworkContext", plan: dict[str, Any]) -> dict[str, str] | None:
    """After the Safe executed a first leg: each planned proxy → where its upgrade now stands
    (``scheduled (ready at …)``); UnsafeError when the chain holds no such operation. None for
    any other plan (the upgrade happened: verify it as always)."""
    if not is_first_leg(plan):
        return None
    from upgrader.governance.track import progress_of

    progress = progress_of(ctx, ctx.manifest(), plan)
    if progress is None or progress.state in ("not-scheduled", "cancelled"):
        state = progress.text if progress else "unknown"
        raise UnsafeError(f"the Safe executed plan {plan['plan_hash']}'s first leg, but the chain shows its "
                          f"{plan['governance']['kind']} leg as {state}")
    what = "operation" if progress.chain == "timelock" else "proposal"
    return {u["proxy"]: f"{what} {progress.id}: {progress.text}" for u in plan["upgrades"]}
