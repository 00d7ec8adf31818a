"""Storage operations -> ``Finding``s, and findings -> compiler-style text."""

from __future__ import annotations

from typing import Iterable

from upgrader.findings import Finding
from upgrader.layout.compare import StorageOp
from upgrader.layout.typechange import TypeChange

KEEP_TYPE = "Keep the variable's type; add a new variable at the end instead"


def findings(ops: Iterable[StorageOp]) -> list[Finding]:
    """One error per failing operation; allowed operations are not findings."""
    return [Finding(f"layout-{op.kind}", message(op), hint(op), op.where) for op in ops if not op.ok]


def _name(op: StorageOp) -> str:
    item = op.updated or op.original
    assert item is not None
    where = f"namespace erc7201:{op.namespace}" if op.namespace else item.contract.rpartition(":")[2]
    return f"`{item.label}` in {where}"


def _slot(slot: int) -> str:
    return f"slot {slot:#x}" if slot >= 1 << 64 else f"slot {slot}"  # namespaced slots in hex


def _place(slot: int, offset: int) -> str:
    return _slot(slot) + (f" offset {offset}" if offset else "")


def _end(item) -> str:  # type: ignore[no-untyped-def]
    slot, offset = divmod(item.end, 32)
    return f"slot {slot}" if not offset else f"slot {slot} offset {offset}"


def message(op: StorageOp) -> str:
    o, u = op.original, op.updated
    match op.kind:
        case "append":
            assert u
            if op.ok:  # after every old variable (or member of a struct that may grow): what `layout diff` lists
                return f"Added {_name(op)} at the end, at {_place(u.slot, u.offset)}"
            return f"Added {_name(op)} at the end of a struct stored in place"
        case "insert":
            assert u
            if op.ok:
                return f"Inserted {_name(op)} at {_place(u.slot, u.offset)}, in bytes no existing variable used"
            return f"Inserted {_name(op)} at {_place(u.slot, u.offset)}, where an existing variable is stored"
        case "delete":
            assert o
            return f"Deleted {_name(op)} (was at {_place(o.slot, o.offset)})"
        case "replace":
            assert o and u and op.change
            return f"Replaced `{o.label}` with {_name(op)} of incompatible type: {describe(op.change)}"
        case "rename":
            assert o and u
            return f"Renamed `{o.label}` to {_name(op)}"
        case "typechange":
            assert op.change
            return f"Changed the type of {_name(op)}: {describe(op.change)}"
        case "retype":
            assert o and u
            return (
                f"Retyped {_name(op)} but it moved: {_place(o.slot, o.offset)}, {o.size} bytes -> "
                f"{_place(u.slot, u.offset)}, {u.size} bytes"
            )
        case "moved":
            assert o and u
            return f"Moved {_name(op)} from {_place(o.slot, o.offset)} to {_place(u.slot, u.offset)}"
        case "gap-resize":
            assert o and u
            if op.ok:
                return f"Storage gap {_name(op)} shrank from {o.size} to {u.size} bytes and still ends at {_end(u)}"
            return (
                f"Storage gap {_name(op)} now ends at {_end(u)} instead of {_end(o)}, "
                "so every variable after it moves"
            )
        case "gap-taken":
            return f"{_name(op)} took over storage gap `{o.label if o else '?'}`"
        case "namespace-delete":
            return f"Deleted namespace erc7201:{op.namespace}"
        case "namespace-duplicate":
            return f"Namespace erc7201:{op.namespace} is declared more than once"
        case "base-moved":
            assert op.slots
            old_base, new_base = (_slot(slot) for slot in op.slots)
            return (
                f"The storage base (`layout at`) moved from {old_base} to {new_base}: every variable, "
                "inherited ones too, is now read from slots where nothing was stored"
            )


def hint(op: StorageOp) -> str | None:
    o = op.original
    match op.kind:
        case "append":
            return "Structs stored in place cannot grow; only a struct used as a mapping value may gain members at its end"
        case "insert":
            return "Add new variables at the end, take the bytes from a storage gap, or use a namespace"
        case "delete":
            return "Keep the variable even if unused"
        case "replace":
            return "Keep the old variable in its place; add the new one at the end"
        case "rename":
            assert o
            return f"Keep the old name, or annotate the variable with `/// @custom:oz-renamed-from {o.label}`"
        case "typechange":
            assert op.change
            return type_hint(op.change)
        case "retype":
            return "A variable annotated @custom:oz-retyped-from must keep its slot, offset and size"
        case "moved":
            return "Keep existing variables in place; something before this variable changed size"
        case "gap-resize":
            if op.gap_length is not None and o is not None:
                return f"Set {o.label} to {op.gap_length}"
            return "Shrink the gap by exactly the slots taken by the new variables"
        case "gap-taken":
            return None
        case "namespace-delete":
            return "Keep the namespace struct (with its @custom:storage-location annotation) even if unused"
        case "namespace-duplicate":
            return "Give every namespace a unique ERC-7201 id"
        case "base-moved":
            assert op.slots
            keep = f"`layout at {op.slots[0]:#x}`" if op.slots[0] else "the variables at slot 0 (no `layout at`)"
            return f"Keep {keep}; a new base needs the stored values moved there first"


def describe(change: TypeChange) -> str:
    old, new = change.original, change.updated
    match change.kind:
        case "obvious-mismatch":
            return f"bad upgrade from {old.label} to {new.label}"
        case "sign-change":
            return f"sign change from {old.label} to {new.label}"
        case "resize":
            return f"size change from {old.label} ({old.size} bytes) to {new.label} ({new.size} bytes)"
        case "mapping-key":
            reason = f": {describe(change.inner)}" if change.inner else ""
            return f"mapping key changed in {old.label} -> {new.label}{reason}"
        case "mapping-value":
            assert change.inner
            return f"in the mapping value of {new.label}: {describe(change.inner)}"
        case "array-grow":
            return f"fixed array grew from {old.length} to {new.length} elements ({old.label} -> {new.label})"
        case "array-shrink":
            return f"fixed array shrank from {old.length} to {new.length} elements ({old.label} -> {new.label})"
        case "array-dynamic":
            direction = "fixed to dynamic" if old.length is not None else "dynamic to fixed"
            return f"array changed from {direction} ({old.label} -> {new.label})"
        case "array-base":
            assert change.inner
            return f"in the elements of {new.label}: {describe(change.inner)}"
        case "struct-members":
            parts = "; ".join(message(op) for op in change.members)
            return f"{new.label} changed: {parts}"
        case "enum-members":
            return f"{new.label} members were reordered or removed: ({', '.join(old.values or ())}) -> ({', '.join(new.values or ())})"
        case "enum-resize":
            return f"{new.label} grew from {old.size} to {new.size} bytes"
        case "udvt-resize":
            return f"user-defined value type size change from {old.label} ({old.size} bytes) to {new.label} ({new.size} bytes)"
        case "udvt-base-change":
            assert change.inner
            inner_old, inner_new = change.inner.original, change.inner.updated
            return (
                f"user-defined value type {old.label} over {inner_old.label} became {new.label} over {inner_new.label}: "
                f"the same {new.size} bytes, read as another type"
            )
        case "function-visibility":
            return f"function type changed from {old.visibility} to {new.visibility} ({old.label} -> {new.label})"


def type_hint(change: TypeChange) -> str:
    match change.kind:
        case "mapping-value" | "array-base":
            assert change.inner
            return type_hint(change.inner)
        case "array-grow":
            return "A fixed array may only grow inside a mapping value; keep its length"
        case "array-shrink":
            return "Keep the array's length"
        case "enum-members":
            return "Only add enum members at the end; never reorder or remove them"
        case "struct-members":
            first = change.members[0] if change.members else None
            return (hint(first) if first else None) or "Keep the struct's members unchanged"
        case "mapping-key":
            return "Keep the mapping's key type"
        case "udvt-base-change":
            return (
                "Keep the value type's underlying type; if the stored values mean the same in the new one, "
                "annotate the variable with @custom:oz-retyped-from"
            )
        case "obvious-mismatch" | "sign-change" | "resize" | "array-dynamic" | "enum-resize" | "udvt-resize" | "function-visibility":
            return KEEP_TYPE + "; if the new type is deliberate and fits, annotate it with @custom:oz-retyped-from"


def render(finding: Finding, indent: str = "  ") -> str:
    """One finding in compiler-error style: title, location arrow, ``>`` hint."""
    lines = [f"{indent}{finding.severity}[{finding.kind}]: {finding.message}"]
    if finding.location:
        lines.append(f"{indent}  --> {finding.location}")
    if finding.hint:
        lines.append(f"{indent}  > {finding.hint}")
    return "\n".join(lines)
