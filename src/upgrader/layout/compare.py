"""Old layout + new layout -> typed storage operations. Pure: no I/O, no rendering.

Variables are matched by edit distance (so one insertion is one insertion, not a cascade of
changes); each matched pair is then judged by name, type (``typechange``) and position.
Storage gaps (``__gap``, ``__gap_*``) may shrink or be taken over, as long as everything after
them stays where it was.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from typing import Literal, Sequence

from upgrader.layout.asttypes import starts_new_slot
from upgrader.layout.levenshtein import levenshtein
from upgrader.layout.model import Namespace, StorageItem, StorageLayout, TypeInfo
from upgrader.layout.typechange import TypeChange, TypeComparator

OpKind = Literal[
    "append",  # new variable after all old ones: ok (inside a struct: ok only where it can grow)
    "insert",  # new variable between old ones: ok only in bytes no old variable used
    "delete",
    "replace",  # a different variable of an incompatible type in the same place
    "rename",  # ok with @custom:oz-renamed-from
    "typechange",
    "retype",  # annotated with @custom:oz-retyped-from: ok if slot, offset and size stay
    "moved",  # same variable, different slot or offset
    "gap-resize",  # ok when the gap's end stays put
    "gap-taken",  # a variable replaced a gap inside the gap's bytes: ok
    "namespace-delete",
    "namespace-duplicate",
    "base-moved",  # the contract's `layout at` base slot changed: every variable moves with it
]


@dataclass(frozen=True)
class StorageOp:
    kind: OpKind
    ok: bool
    original: StorageItem | None = None
    updated: StorageItem | None = None
    change: TypeChange | None = None
    namespace: str | None = None  # the ERC-7201 id, for operations inside or on a namespace
    gap_length: int | None = None  # gap-resize: the length that keeps the gap's end in place
    location: str | None = None  # for namespace-level operations and base-moved
    slots: tuple[int, int] | None = None  # base-moved: the old and the new base slot

    @property
    def cost(self) -> int:
        """Edit-distance cost of pairing ``original`` with ``updated`` this way."""
        if not self.ok:
            return 3
        return 1 if self.kind == "gap-taken" else 0  # prefer gap-to-gap pairings

    @property
    def where(self) -> str | None:
        if self.location:
            return self.location
        item = self.updated or self.original
        return item.location if item else None


def compare_layouts(old: StorageLayout, new: StorageLayout, allow_renames: bool = False) -> list[StorageOp]:
    """Every operation that turns ``old`` into ``new``, including the allowed ones
    (``allow_renames``: a variable's new name is no error, as OpenZeppelin's unsafeAllowRenames)."""
    comparator = TypeComparator(old, new, allow_renames)
    ops, old_items = _base_moved(old, new)
    ops += compare_items(old_items, new.items, comparator, True, None)
    return ops + _compare_namespaces(old, new, comparator)


def _base_moved(old: StorageLayout, new: StorageLayout) -> tuple[list[StorageOp], Sequence[StorageItem]]:
    """A moved ``layout at`` base is one operation; the variables are then compared as placed
    from their base (the old ones shown at the slots the new base gives them), so the move is
    not reported again for each of them."""
    old_base, new_base = old.base_slot, new.base_slot
    if old_base is None or new_base is None or old_base == new_base:
        return [], old.items
    where = new.base.location if new.base is not None else old.base.location if old.base is not None else None
    op = StorageOp("base-moved", False, location=where, slots=(old_base, new_base))
    shift = new_base - old_base
    return [op], [replace(item, slot=item.slot + shift) for item in old.items]


def compare_items(
    old_items: Sequence[StorageItem],
    new_items: Sequence[StorageItem],
    comparator: TypeComparator,
    allow_append: bool,
    namespace: str | None,
) -> list[StorageOp]:
    def field_change(o: StorageItem, u: StorageItem) -> StorageOp | None:
        return _field_change(o, u, comparator, namespace)

    occupied = _Occupied(old_items)
    ops: list[StorageOp] = []
    failed = False
    for edit in levenshtein(old_items, new_items, field_change):
        o, u = edit.original, edit.updated
        match edit.kind:
            case "keep":
                assert o and u
                op = _gap_resize(o, u, comparator, namespace) if o.is_gap and u.is_gap else None
                if op is None and (o.slot, o.offset) != (u.slot, u.offset) and not failed:
                    op = StorageOp("moved", False, o, u, namespace=namespace)
            case "change":
                op = edit.change
                assert op and o and u
                if op.ok and (o.slot, o.offset) != (u.slot, u.offset) and op.kind != "gap-taken":
                    op = None if failed else StorageOp("moved", False, o, u, namespace=namespace)
            case "insert":
                assert u
                op = StorageOp("insert", not occupied.overlaps(u), None, u, namespace=namespace)
            case "append":
                op = StorageOp("append", allow_append, None, u, namespace=namespace)
            case "delete":
                op = StorageOp("delete", bool(o and o.is_gap), o, None, namespace=namespace)
        if op is not None:
            ops.append(op)
            failed = failed or not op.ok
    return ops


def member_items(struct: TypeInfo, layout: StorageLayout) -> list[StorageItem]:
    """A struct's members as storage items (slots relative to the struct)."""
    return [
        StorageItem(struct.label, m.label, m.slot, m.offset, layout.type_of(m).size, m.type_id) for m in struct.members
    ]


def _field_change(o: StorageItem, u: StorageItem, comparator: TypeComparator, ns: str | None) -> StorageOp | None:
    old_type, new_type = comparator.old.type_of(o), comparator.new.type_of(u)
    if o.is_gap and u.is_gap and o.label == u.label and old_type.kind == new_type.kind == "array":
        return None  # judged by where the gap ends, in _gap_resize
    relabelled = o.label != u.label and u.renamed_from != o.label
    renamed = relabelled and not comparator.allow_renames
    retyped = u.retyped_from is not None and _same_label(u.retyped_from, old_type)
    change = None if retyped else comparator.change(old_type, new_type)
    if relabelled and o.is_gap and o.start <= u.start and u.end <= o.end:
        return StorageOp("gap-taken", True, o, u, namespace=ns)
    if change and renamed:
        return StorageOp("replace", False, o, u, change, namespace=ns)
    if renamed:
        return StorageOp("rename", False, o, u, namespace=ns)
    if change:
        return StorageOp("typechange", False, o, u, change, namespace=ns)
    if retyped:
        same_place = (o.slot, o.offset, o.size) == (u.slot, u.offset, u.size)
        return StorageOp("retype", same_place, o, u, namespace=ns)
    if o.label != u.label:
        return StorageOp("rename", True, o, u, namespace=ns)
    return None


def _same_label(annotation: str, old_type: TypeInfo) -> bool:
    written = " ".join(annotation.split())
    return written in (old_type.label, old_type.name, old_type.name.rpartition(".")[2])


def _gap_resize(o: StorageItem, u: StorageItem, comparator: TypeComparator, ns: str | None) -> StorageOp | None:
    if (o.start, o.end) == (u.start, u.end):
        return None
    if o.end == u.end:
        return StorageOp("gap-resize", True, o, u, namespace=ns)
    return StorageOp("gap-resize", False, o, u, namespace=ns, gap_length=_gap_length(o.end - u.start, comparator.new.type_of(u), comparator))


def _gap_length(span: int, gap: TypeInfo, comparator: TypeComparator) -> int | None:
    """How many elements of the gap's type fill exactly ``span`` bytes from a slot start."""
    if span <= 0 or span % 32 or gap.base is None:
        return 0 if span == 0 else None
    element = comparator.new.type_of(gap.base)
    if starts_new_slot(element) or element.size > 16:
        per_element = (element.size + 31) // 32 * 32
        return span // per_element if span % per_element == 0 else None
    return span // 32 * (32 // element.size)


class _Occupied:
    """Byte ranges of the old, non-gap variables, for "does this insertion overlap" queries."""

    def __init__(self, items: Sequence[StorageItem]) -> None:
        ranges = sorted((i.start, i.end) for i in items if not i.is_gap)
        self.starts = [start for start, _ in ranges]
        self.ends = [end for _, end in ranges]
        self.max_end = max(self.ends, default=0)
        for k in range(1, len(self.ends)):  # running maximum, for nested/overlapping inputs
            self.ends[k] = max(self.ends[k], self.ends[k - 1])

    def overlaps(self, item: StorageItem) -> bool:
        k = bisect.bisect_left(self.starts, item.end) - 1
        return k >= 0 and self.ends[k] > item.start


def _compare_namespaces(old: StorageLayout, new: StorageLayout, comparator: TypeComparator) -> list[StorageOp]:
    ops: list[StorageOp] = []
    updated: dict[str, list[Namespace]] = {}
    for ns in new.namespaces:
        if ns.id in updated:
            ops.append(StorageOp("namespace-duplicate", False, namespace=ns.id, location=ns.location))
        updated.setdefault(ns.id, []).append(ns)
    seen: set[str] = set()
    for ns in old.namespaces:
        if ns.id in seen:
            continue
        seen.add(ns.id)
        candidates = updated.get(ns.id)
        if not candidates:
            ops.append(StorageOp("namespace-delete", False, namespace=ns.id, location=ns.location))
            continue
        new_ns = next((c for c in candidates if c.struct.rpartition(".")[2] == ns.struct.rpartition(".")[2]), candidates[0])
        ops += compare_items(ns.items, new_ns.items, comparator, True, ns.id)
    return ops
