"""Enumerate the storage slots a layout occupies, for a preservation check.

Fixed-position variables and namespace members give their slots directly; dynamic arrays,
long strings and mappings are followed through their keccak-derived slots, with mapping
keys drawn from candidates discovered on chain (event topics and words, known addresses,
small integers up to the system's own counters)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from upgrader.keccak import keccak

from upgrader.layout.model import StorageItem, StorageLayout, TypeInfo

MAX_ARRAY = 256
MAX_STRING_WORDS = 64
Reader = Callable[[int], int]  # slot -> value


@dataclass
class KeyCandidates:
    words: set[int] = field(default_factory=set)

    def add(self, values: Iterable[int]) -> None:
        self.words.update(v for v in values if 0 <= v < 1 << 256)

    def for_type(self, info: TypeInfo) -> list[int]:
        label = info.label
        if label == "address" or info.kind == "contract":
            return sorted(w for w in self.words if 0 < w < 1 << 160)
        if label.startswith(("uint", "int")) or info.kind == "enum" or label == "bool":
            bits = int(label[4:] or 256) if label.startswith("uint") else 256
            return sorted(w for w in self.words if w < min(1 << bits, 1 << 64))
        if label.startswith("bytes") and label != "bytes":
            return sorted(self.words)
        return []  # string/bytes keys: not enumerated


def _word(x: int) -> bytes:
    return x.to_bytes(32, "big")


def mapping_slot(key: int, slot: int) -> int:
    return int.from_bytes(keccak(_word(key) + _word(slot)), "big")


@dataclass
class SlotWalker:
    layout: StorageLayout
    keys: KeyCandidates
    read: Reader
    slots: dict[int, str] = field(default_factory=dict)

    def walk(self) -> dict[int, str]:
        items: list[StorageItem] = list(self.layout.items)
        for ns in self.layout.namespaces:
            items.extend(ns.items)
        for item in items:
            self._visit(self.layout.type_of(item), item.slot, item.label)
        return self.slots

    def _mark(self, slot: int, label: str) -> None:
        self.slots.setdefault(slot, label)

    def _visit(self, info: TypeInfo, slot: int, label: str) -> None:
        match info.kind:
            case "elementary" | "enum" | "udvt" | "contract" | "function":
                self._mark(slot, label)
            case "string" | "bytes":
                self._visit_bytes(slot, label)
            case "struct":
                for m in info.members:
                    self._visit(self.layout.type_of(m.type_id), slot + m.slot, f"{label}.{m.label}")
            case "array":
                self._visit_array(info, slot, label)
            case "mapping":
                key_type = self.layout.type_of(info.key) if info.key else None
                value_type = self.layout.type_of(info.value) if info.value else None
                if key_type is None or value_type is None:
                    return
                for key in self.keys.for_type(key_type):
                    self._visit(value_type, mapping_slot(key, slot), f"{label}[{key:#x}]")
            case _:
                self._mark(slot, label)

    def _visit_bytes(self, slot: int, label: str) -> None:
        self._mark(slot, label)
        head = self.read(slot)
        if head & 1:  # long form: length*2+1 in the slot, data at keccak(slot)
            words = min((head // 2 + 31) // 32, MAX_STRING_WORDS)
            base = int.from_bytes(keccak(_word(slot)), "big")
            for i in range(words):
                self._mark(base + i, f"{label}<data {i}>")

    def _visit_array(self, info: TypeInfo, slot: int, label: str) -> None:
        base = self.layout.type_of(info.base) if info.base else None
        if base is None:
            return
        if info.length is None:  # dynamic: length in the slot, elements at keccak(slot)
            self._mark(slot, f"{label}.length")
            length = min(self.read(slot), MAX_ARRAY)
            start = int.from_bytes(keccak(_word(slot)), "big")
        else:
            length, start = min(info.length, MAX_ARRAY), slot
        if base.size <= 16 and base.kind not in ("struct", "array", "mapping", "string", "bytes"):
            per_slot = 32 // base.size
            for i in range((length + per_slot - 1) // per_slot):
                self._mark(start + i, f"{label}[{i * per_slot}..]")
            return
        stride = max(1, (base.size + 31) // 32)
        for i in range(length):
            self._visit(base, start + i * stride, f"{label}[{i}]")
