"""``review --simulate`` of a batch that schedules on the manifest's Timelock (or proposes to its
Governor): after the Safe's transaction ran on the fork, what the Timelock will run later is
run too, at its ETA, with the legs ``simulate`` uses (``governance.simulate``: scheduled with
the minimum delay, not executable before, time moved, executed by a stranger, through the
Safe or from an account holding the executor role; a Governor's proposal voted to quorum, queued and executed). The execute transaction's
decoded state diff is then judged like the Safe's own (``review.simulate.fork.SimulationResult.at_eta``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eth_utils import to_checksum_address

from upgrader.stages.review.governed import operation_of

if TYPE_CHECKING:
    from upgrader.sim.runner import Execution
    from upgrader.stages.review.decode import CallNode


def _call(to: str, data: bytes, description: str) -> dict[str, Any]:
    return {"to": to, "value": "0", "operation": 0, "data": "0x" + data.hex(), "description": description}


def _leg_plan(root: "CallNode", manifest: Any, safe: str) -> dict[str, Any] | None:
    """The first schedule (or proposal) of the batch, as the ``governance`` section a plan would carry."""
    from upgrader.governance.operation import GovernorProposal
    from upgrader.governance.timelock import executor_of

    g = getattr(manifest, "governance", None)
    if g is None:
        return None
    for node in root.walk():
        to = to_checksum_address(node.call.to)
        if to == g.timelock.address and node.function in ("schedule", "scheduleBatch") and not node.error:
            op = operation_of(node)
            section = {"kind": "timelock", "timelock": to, "operation": op.to_json(),
                       "execute": _call(to, op.execute_data(), f"TimelockController.executeBatch of 0x{op.id.hex()}"),
                       **executor_of(g.timelock, safe)}
            return {"governance": section, "safe": {"address": safe}}
        if g.governor is not None and to == g.governor.address and node.function == "propose" and not node.error:
            p = GovernorProposal(tuple(to_checksum_address(t) for t in node.arg("targets")), tuple(node.arg("values")),
                                 tuple(bytes(c) for c in node.arg("calldatas")), node.arg("description"))
            section = {"kind": "governor", "governor": to, "timelock": g.timelock.address, "proposal": p.to_json(),
                       "operation": p.timelock_operation(to, g.governor.oz_version).to_json(),
                       "queue": _call(to, p.queue_data(), f"{g.governor.name}.queue({p.id})"),
                       "execute": _call(to, p.execute_data(), f"{g.governor.name}.execute({p.id})"), "executor": "anyone"}
            return {"governance": section, "safe": {"address": safe}}
    return None


def run_at_eta(w3: Any, root: "CallNode", manifest: Any, safe: str) -> tuple["Execution", list[dict[str, Any]]] | None:
    """(the execution of the scheduled operation at its ETA, the legs' checks), or None when the
    batch schedules nothing on the manifest's Timelock or Governor."""
    from upgrader.governance.simulate import run_later_legs
    from upgrader.sim.runner import Execution

    plan = _leg_plan(root, manifest, safe)
    if plan is None:
        return None
    owners = None  # through the Safe: its own owners and threshold
    legs = run_later_legs(w3, plan, owners)  # type: ignore[arg-type]
    checks = [{"name": n, "ok": ok, "detail": d} for n, ok, d in legs.checks]
    failed = next((c for c in checks if not c["ok"]), None)
    g = plan["governance"]
    execution = Execution(safe=safe, safe_tx_hash=g["operation"]["id"], ok=failed is None,
                          gas_used=legs.gas[-1]["gas"] if legs.gas and failed is None else None,  # the execute transaction's
                          tx_hash=legs.txs[-1] if legs.txs and failed is None else None,
                          revert=None if failed is None else f"{failed['name']}: {failed['detail']}")
    return execution, checks
