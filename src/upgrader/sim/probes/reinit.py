"""Incomplete reinitialization (Ronin bridge 2024: ``initializeV4`` ran without
``initializeV3``, and a vote weight stayed 0).

OpenZeppelin's ``reinitializer(n)`` runs only while the stored version is below n and sets it
to n, so once a batch moves a proxy from version a to b, every reinitializer a < n <= b that did
not run in it can never run. Each of them must have run in the batch (a call into the proxy
with its selector that succeeded) or be declared unnecessary (``reinitializer.skips``).

And the state those would have set: a variable the new layout adds (not in the recorded one)
that is still zero after the batch while the code reads it in a condition is
``left-unset-after-upgrade``, unless declared left at zero on purpose (the module's ``unset``).
Only value types are judged (a mapping or an array is empty by design)."""

from __future__ import annotations

from typing import Any

from eth_utils import to_checksum_address

from upgrader.layout.extract import extract_layout
from upgrader.layout.model import StorageLayout
from upgrader.proxies import kind_of
from upgrader.sim.probes import Before, Finding, Upgraded
from upgrader.sim.probes.source import read_in_conditions, reinitializers
from upgrader.sim.storage import namespace_prefix
from upgrader.sim.writes import VERSION_VARIABLES
from upgrader.stages.initializable import version_location

VALUE_KINDS_NOT = ("mapping", "array", "struct", "bytes", "string")  # empty by design, or not one word


def called(w3: Any, tx_hashes: list[str]) -> set[tuple[str, str]]:
    """(storage context lower, selector hex) of every call frame that succeeded in these
    transactions: a CALL runs in its callee's storage, a DELEGATECALL in its caller's (so
    ``upgradeToAndCall``'s call of the reinitializer counts for the proxy)."""
    out: set[tuple[str, str]] = set()
    for tx in tx_hashes:
        trace = w3.provider.make_request("debug_traceTransaction", [tx, {"tracer": "callTracer"}]).get("result") or {}
        stack = [(trace, str(trace.get("to") or "").lower())]
        while stack:
            frame, context = stack.pop()
            stack += [(c, context if c.get("type") in ("DELEGATECALL", "CALLCODE") else str(c.get("to") or "").lower())
                      for c in frame.get("calls") or []]
            data = str(frame.get("input") or "0x")
            if not frame.get("error") and len(data) >= 10 and context:
                out.add((context, data[2:10].lower()))
    return out


def incomplete(w3: Any, u: Upgraded, before: Before, calls: set[tuple[str, str]], build_info: dict[str, Any]) -> list[Finding]:
    where = version_location(build_info, u.target_fqn)
    declared = reinitializers(build_info, u.target_fqn)
    out = []
    for holder in kind_of(u.record).storage_holders(u.record):
        was = before.versions.get(holder.lower(), 0)
        now = where.read(bytes(w3.eth.get_storage_at(to_checksum_address(holder), where.slot)))
        between = sorted((n, name, sel) for sel, (name, n) in declared.items() if was < n <= now)
        missed = [(n, name) for n, name, sel in between if (holder.lower(), sel) not in calls and name not in u.skips]
        label = f"{u.record.name}" + ("" if holder.lower() == u.record.address.lower() else f" {holder}")
        if missed:
            names = ", ".join(f"{name} (reinitializer({n}))" for n, name in missed)
            out.append(Finding("reinitialization", "incomplete-reinitialization", False, (
                f"the version went {was} -> {now} but {names} never ran in the batch, so it never can; run it, "
                f"or declare it in the module's reinitializer.skips"), label))
        else:
            ran = [name for _, name, _ in between]
            out.append(Finding("reinitialization", "incomplete-reinitialization", True,
                               f"version {was} -> {now}" + (f"; ran or declared: {', '.join(ran)}" if ran else "")
                               + "".join(f"; {s} declared unnecessary" for s in sorted(u.skips)), label))
    return out


def _new_value_variables(old: StorageLayout, new: StorageLayout) -> list[tuple[str, int, int, int]]:
    """(name, slot, offset, size) of each value-type variable only the new layout has."""
    def named(layout: StorageLayout) -> list[tuple[str, Any]]:
        items = [(i.label, i) for i in layout.items]
        items += [(f"{namespace_prefix(ns)}.{i.label}", i) for ns in layout.namespaces for i in ns.items]
        return items

    known = {name for name, _ in named(old)}
    out = []
    for name, item in named(new):
        if name in known or item.is_gap or name in VERSION_VARIABLES:
            continue
        info = new.types.get(item.type_id)
        if info is None or info.kind in VALUE_KINDS_NOT or item.size > 32:
            continue
        out.append((name, item.slot, item.offset, item.size))
    return out


def left_unset(w3: Any, u: Upgraded, build_info: dict[str, Any]) -> list[Finding]:
    old = StorageLayout.from_json(u.record.implementation.storage_layout)
    new = extract_layout(build_info, u.target_fqn)
    reads = read_in_conditions(build_info, u.target_fqn)
    out = []
    for holder in kind_of(u.record).storage_holders(u.record):
        label = f"{u.record.name}" + ("" if holder.lower() == u.record.address.lower() else f" {holder}")
        unset = []
        for name, slot, offset, size in _new_value_variables(old, new):
            if name not in reads or name in u.unset:
                continue
            word = int.from_bytes(bytes(w3.eth.get_storage_at(to_checksum_address(holder), slot)), "big")
            if (word >> (8 * offset)) & ((1 << (8 * size)) - 1) == 0:
                unset.append(f"{name} (read at {reads[name]})")
        if unset:
            out.append(Finding("left-unset", "left-unset-after-upgrade", False, (
                f"new state no initializer set is still zero and the code reads it in a condition: {'; '.join(unset)}; set it "
                "in the reinitializer, or declare it left at zero on purpose in the module's unset"), label))
    return out
