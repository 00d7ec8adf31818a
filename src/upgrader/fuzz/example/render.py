"""A failing example for a reader: numbered calls with decoded arguments and, for each, what
the upgraded fork and the reference fork returned; then what failed. Also its JSON form."""

from __future__ import annotations

from typing import Any

from upgrader.fuzz.abi import AbiFunction, show, to_json
from upgrader.fuzz.engine import Outcome
from upgrader.fuzz.example.trace import Call, Mismatch, Trace


def result(fn: AbiFunction | None, out: Outcome | None) -> str:
    """``ok 5``, ``ok ()``, ``reverted InsufficientBalance(1, 0, 5)``."""
    if out is None:
        return "-"
    if not out.ok:
        from upgrader.sim.reasons import decode_revert

        return "halted" if out.halt else f"reverted {decode_revert(out.data)}"
    values = fn.decode_output(out.data) if fn is not None else None
    if values is None:
        return f"ok 0x{out.data.hex()}"
    if not values:
        return "ok"
    return "ok " + (show(values[0]) if len(values) == 1 else show(values))


def call_text(call: Call) -> str:
    value = f" value {call.value}" if call.value else ""
    return f"{call.contract}.{call.fn.name}({', '.join(show(a) for a in call.args)}) from {call.sender}{value}"


def lines(trace: Trace) -> list[str]:
    out, n = [], 0
    for i, step in enumerate(trace.steps):
        if step.call is None:
            ok = step.upgrade and step.upgrade.get("ok")
            out.append(f"   -- upgrade: the plan's batch through the Safe: {'ok' if ok else 'FAILED: ' + str((step.upgrade or {}).get('revert'))}")
            continue
        n += 1
        out.append(f"{n:>3}. {call_text(step.call)}")
        a, b = result(step.call.fn, step.upgraded), result(step.call.fn, step.reference)
        if a == b:
            out.append(f"      both: {a}")
        else:
            mark = "  <- differs" if step.compared else ("  (not compared: declared changed or one version only)")
            out.append(f"      upgraded:  {a}{mark}")
            out.append(f"      reference: {b}")
    failure = trace.failure
    if failure is not None:
        out.append(f"{failure.kind}: {failure.message}")
        for m in failure.mismatches[:10]:
            out.append("  " + mismatch_text(m, failure.kind))
        if len(failure.mismatches) > 10:
            out.append(f"  ... and {len(failure.mismatches) - 10} more")
    return out


def mismatch_text(m: Mismatch, kind: str) -> str:
    first, second = ("before", "after") if kind == "view-changed" else ("reference", "upgraded")
    args = ", ".join(show(a) for a in m.args)
    return f"{m.contract}.{m.fn.name}({args}): {first} {result(m.fn, m.first)}, {second} {result(m.fn, m.second)}"


def outcome_json(fn: AbiFunction | None, out: Outcome | None) -> dict[str, Any] | None:
    if out is None:
        return None
    return {"ok": out.ok, "data": "0x" + out.data.hex(), "shown": result(fn, out)}


def trace_json(trace: Trace) -> dict[str, Any]:
    steps = []
    for step in trace.steps:
        if step.call is None:
            steps.append({"upgrade": step.upgrade})
            continue
        c = step.call
        steps.append({"contract": c.contract, "function": c.fn.signature, "args": to_json(list(c.args)), "sender": c.sender,
                      "value": str(c.value), "compared": step.compared,
                      "upgraded": outcome_json(c.fn, step.upgraded), "reference": outcome_json(c.fn, step.reference)})
    failure = trace.failure
    return {"steps": steps, "failure": None if failure is None else {
        "kind": failure.kind, "message": failure.message,
        "mismatches": [{"contract": m.contract, "function": m.fn.signature, "args": to_json(list(m.args)),
                        "first": outcome_json(m.fn, m.first), "second": outcome_json(m.fn, m.second)}
                       for m in failure.mismatches]}}
