"""Is a storage type in the new layout a safe replacement for the old one?

``TypeComparator.change(old, new, allow_append)`` returns None when the new type keeps every
byte of the old one where it was, or a ``TypeChange`` naming the rule that is broken.
``allow_append`` is true where growing at the end cannot shift anything (a mapping's value).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from upgrader.layout.model import StorageLayout, TypeInfo

if TYPE_CHECKING:
    from upgrader.layout.compare import StorageOp

TypeChangeKind = Literal[
    "obvious-mismatch",
    "sign-change",
    "resize",
    "mapping-key",
    "mapping-value",
    "array-grow",
    "array-shrink",
    "array-dynamic",
    "array-base",
    "struct-members",
    "enum-members",
    "enum-resize",
    "udvt-resize",
    "udvt-base-change",  # ours: same size, another underlying type (OpenZeppelin passes it)
    "function-visibility",
]

_INTEGER = re.compile(r"^(u?)int(\d+)$")


@dataclass(frozen=True)
class TypeChange:
    kind: TypeChangeKind
    original: TypeInfo
    updated: TypeInfo
    inner: TypeChange | None = None  # mapping-key, mapping-value, array-base, udvt-base-change
    members: tuple[StorageOp, ...] = ()  # struct-members: the failing member operations


class TypeComparator:
    def __init__(self, old: StorageLayout, new: StorageLayout, allow_renames: bool = False) -> None:
        self.old, self.new = old, new
        self.allow_renames = allow_renames  # OpenZeppelin's unsafeAllowRenames: a new name is not a finding
        self._memo: dict[tuple[str, str, bool], TypeChange | None] = {}

    def change(self, old: TypeInfo, new: TypeInfo, allow_append: bool = False) -> TypeChange | None:
        key = (old.id, new.id, allow_append)
        if key in self._memo:
            return self._memo[key]
        if old.kind == new.kind and old.kind in ("elementary", "string", "bytes") and old.id == new.id:
            return None
        self._memo[key] = None  # a recursive struct compares equal to itself while in progress
        result = self._compare(old, new, allow_append)
        self._memo[key] = result
        return result

    def _compare(self, old: TypeInfo, new: TypeInfo, allow_append: bool) -> TypeChange | None:
        if old.kind != new.kind:
            return self._across_kinds(old, new)
        match old.kind:
            case "elementary":
                return self._elementary(old, new)
            case "string" | "bytes" | "contract":
                return None
            case "function":
                return None if old.visibility == new.visibility else TypeChange("function-visibility", old, new)
            case "udvt":
                return self._udvt(old, new)
            case "enum":
                return self._enum(old, new)
            case "mapping":
                return self._mapping(old, new)
            case "array":
                return self._array(old, new, allow_append)
            case "struct":
                return self._struct(old, new, allow_append)

    def _across_kinds(self, old: TypeInfo, new: TypeInfo) -> TypeChange | None:
        """A contract type and ``address`` are both an address (upgrades-core compare.ts allows
        t_contract <-> t_address); every other change of kind is a mismatch, a user-defined
        value type and its own underlying type included ("Bad upgrade from Price to uint128":
        their type ids' heads differ, upgrades-core ``packages/core/src/storage/compare.ts``
        uncachedGetTypeChange at v1.46.0)."""
        if {old.kind, new.kind} == {"elementary", "contract"}:
            plain = old if old.kind == "elementary" else new
            if plain.label == "address":
                return None
        return TypeChange("obvious-mismatch", old, new)

    def _udvt(self, old: TypeInfo, new: TypeInfo) -> TypeChange | None:
        """OpenZeppelin compares two value types by size only. Ours too, and beyond it: the same
        size over another underlying type (``uint128`` -> ``int128``) reads the stored bytes as
        something else."""
        if old.size != new.size:
            return TypeChange("udvt-resize", old, new)
        if old.base is None or new.base is None:
            return None  # no AST to tell the underlying types
        inner = self.change(self.old.type_of(old.base), self.new.type_of(new.base))
        return TypeChange("udvt-base-change", old, new, inner) if inner is not None else None

    def _elementary(self, old: TypeInfo, new: TypeInfo) -> TypeChange | None:
        if old.label == new.label:
            return None  # address <-> address payable is a mismatch, as for upgrades-core (t_address vs t_address_payable)
        old_int, new_int = _INTEGER.match(old.label), _INTEGER.match(new.label)
        if old_int and new_int:
            if old_int.group(1) != new_int.group(1):
                return TypeChange("sign-change", old, new)
            return TypeChange("resize", old, new)
        if old.label.startswith("bytes") and new.label.startswith("bytes"):
            return TypeChange("resize", old, new)
        return TypeChange("obvious-mismatch", old, new)

    def _enum(self, old: TypeInfo, new: TypeInfo) -> TypeChange | None:
        if old.values is not None and new.values is not None and new.values[: len(old.values)] != old.values:
            return TypeChange("enum-members", old, new)
        if new.size != old.size:
            return TypeChange("enum-resize", old, new)
        return None

    def _mapping(self, old: TypeInfo, new: TypeInfo) -> TypeChange | None:
        assert old.key and new.key and old.value and new.value
        key = self.change(self.old.type_of(old.key), self.new.type_of(new.key))
        if key is not None:
            return TypeChange("mapping-key", old, new, key)
        inner = self.change(self.old.type_of(old.value), self.new.type_of(new.value), allow_append=True)
        return TypeChange("mapping-value", old, new, inner) if inner else None

    def _array(self, old: TypeInfo, new: TypeInfo, allow_append: bool) -> TypeChange | None:
        if (old.length is None) != (new.length is None):
            return TypeChange("array-dynamic", old, new)
        assert old.base and new.base
        inner = self.change(self.old.type_of(old.base), self.new.type_of(new.base))
        if inner is not None:
            return TypeChange("array-base", old, new, inner)
        if old.length is not None and new.length is not None:
            if new.length < old.length:
                return TypeChange("array-shrink", old, new)
            if new.length > old.length and not allow_append:
                return TypeChange("array-grow", old, new)
        return None

    def _struct(self, old: TypeInfo, new: TypeInfo, allow_append: bool) -> TypeChange | None:
        from upgrader.layout.compare import compare_items, member_items

        ops = compare_items(member_items(old, self.old), member_items(new, self.new), self, allow_append, None)
        failing = tuple(op for op in ops if not op.ok)
        return TypeChange("struct-members", old, new, members=failing) if failing else None
