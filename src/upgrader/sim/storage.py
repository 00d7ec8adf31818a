"""The one storage decoder: every slot a layout occupies, with the variable, type, offset and
size of each field in it, so a word decodes to ``_balances[2]: 10 -> 0``.

Fixed-position variables and ERC-7201 namespace members (``Namespace.member``) give their
slots directly; mappings are followed through keys drawn from candidates (event topics and
words, known addresses, small integers); dynamic arrays and long strings either by reading
their length (``read`` given: the whole occupied storage, for a before/after snapshot) or
through the changed slots in their data area (``targets``: naming a diff)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from eth_utils import to_checksum_address

from upgrader.keccak import keccak
from upgrader.layout.model import Namespace, StorageLayout, TypeInfo

MAX_ARRAY = 256
MAX_STRING_WORDS = 64
MAX_DEPTH = 6
Reader = Callable[[int], int]  # slot -> value

ADDRESS = TypeInfo("t_address", "elementary", "address", 20)
UINT = TypeInfo("t_uint256", "elementary", "uint256", 32)
BYTES32 = TypeInfo("t_bytes32", "elementary", "bytes32", 32)


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


def _data_start(slot: int) -> int:
    return int.from_bytes(keccak(_word(slot)), "big")


def mapping_slot(key: int, slot: int) -> int:
    return int.from_bytes(keccak(_word(key) + _word(slot)), "big")


@dataclass(frozen=True)
class Field:
    label: str
    info: TypeInfo
    offset: int  # bytes from the right of the word, as solc packs
    size: int
    variable: str = ""  # the layout's top-level name: `_roles`, `AccessControlStorage._roles`

    def value(self, word: int) -> int:
        return (word >> (8 * self.offset)) & ((1 << (8 * self.size)) - 1)

    def show(self, word: int) -> str:
        return show_value(self.info, self.value(word), self.size)


def show_value(info: TypeInfo, value: int, size: int) -> str:
    label = info.label
    if label == "address" or info.kind == "contract":
        return to_checksum_address(value.to_bytes(20, "big"))
    if label == "bool":
        return "true" if value else "false"
    if info.kind == "enum" and info.values and value < len(info.values):
        return f"{info.values[value]} ({value})"
    if label.startswith("int"):
        bits = 8 * size
        return str(value - (1 << bits) if value >> (bits - 1) else value)
    if label.startswith("uint") or info.kind == "enum":
        return str(value)
    return "0x" + value.to_bytes(size, "big").hex()


def show_key(key: TypeInfo, k: int) -> str:
    if key.kind != "elementary" or key.label == "address":
        return show_value(key, k, key.size)
    return str(k) if key.label.startswith(("uint", "int")) else f"{k:#x}"


def namespace_prefix(ns: Namespace) -> str:
    return ns.struct.rsplit(".", 1)[-1]


class LayoutFields:
    """slot -> the fields of ``layout`` in it (``fields``), in the layout's order."""

    def __init__(self, layout: StorageLayout, keys: KeyCandidates, *, read: Reader | None = None,
                 targets: Iterable[int] = (), mappings: bool = True) -> None:
        self.layout, self.keys, self.read, self.mappings = layout, keys, read, mappings
        self.targets = sorted(set(targets))
        self.fields: dict[int, list[Field]] = {}
        for item in layout.items:
            self._visit(layout.type_of(item), item.slot, item.offset, item.label, item.label)
        for ns in layout.namespaces:
            for item in ns.items:
                name = f"{namespace_prefix(ns)}.{item.label}"
                self._visit(layout.type_of(item), item.slot, item.offset, name, name)

    def labels(self) -> dict[int, str]:
        """slot -> the first field's label (a snapshot's names)."""
        return {s: fs[0].label for s, fs in self.fields.items()}

    def _span(self, start: int, count: int) -> Iterable[int]:
        """Slots of [start, start+count) to name: all when reading, else the changed ones."""
        if self.read is not None:
            return range(start, start + count)
        i, out = bisect_left(self.targets, start), []
        while i < len(self.targets) and self.targets[i] < start + count:
            out.append(self.targets[i])
            i += 1
        return out

    def _add(self, slot: int, label: str, info: TypeInfo, offset: int, size: int, var: str) -> None:
        known = self.fields.setdefault(slot, [])
        if not any(f.offset == offset and f.label == label for f in known):
            known.append(Field(label, info, offset, size, var))

    def _visit(self, info: TypeInfo, slot: int, offset: int, label: str, var: str, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            return
        match info.kind:
            case "elementary" | "enum" | "udvt" | "contract" | "function":
                self._add(slot, label, info, offset, info.size, var)
            case "string" | "bytes":
                self._bytes(slot, label, var)
            case "struct":
                for m in info.members:
                    self._visit(self.layout.type_of(m.type_id), slot + m.slot, m.offset, f"{label}.{m.label}", var, depth + 1)
            case "array":
                self._array(info, slot, label, var, depth)
            case "mapping" if self.mappings:
                key = self.layout.type_of(info.key) if info.key else None
                value = self.layout.type_of(info.value) if info.value else None
                if key is None or value is None:
                    return
                for k in self.keys.for_type(key):
                    self._visit(value, mapping_slot(k, slot), 0, f"{label}[{show_key(key, k)}]", var, depth + 1)
            case "mapping":
                pass
            case _:
                self._add(slot, label, BYTES32, 0, 32, var)

    def _bytes(self, slot: int, label: str, var: str) -> None:
        self._add(slot, f"{label} (length/short value)", BYTES32, 0, 32, var)
        words = MAX_STRING_WORDS
        if self.read is not None:
            head = self.read(slot)
            words = min((head // 2 + 31) // 32, MAX_STRING_WORDS) if head & 1 else 0  # long form: length*2+1
        base = _data_start(slot)
        for s in self._span(base, words):
            self._add(s, f"{label} <data {s - base}>", BYTES32, 0, 32, var)

    def _array(self, info: TypeInfo, slot: int, label: str, var: str, depth: int) -> None:
        base = self.layout.type_of(info.base) if info.base else None
        if base is None:
            return
        if info.length is None:  # dynamic: length in the slot, elements at keccak(slot)
            self._add(slot, f"{label}.length", UINT, 0, 32, var)
            length = min(self.read(slot), MAX_ARRAY) if self.read is not None else MAX_ARRAY
            start = _data_start(slot)
        else:
            length, start = min(info.length, MAX_ARRAY), slot
        if base.size <= 16 and base.kind not in ("struct", "array", "mapping", "string", "bytes"):
            per_slot = 32 // base.size
            for s in self._span(start, (length + per_slot - 1) // per_slot):
                for j in range(per_slot):
                    i = (s - start) * per_slot + j
                    if i < length:
                        self._add(s, f"{label}[{i}]", base, j * base.size, base.size, var)
            return
        stride = max(1, (base.size + 31) // 32)
        indices = sorted({(s - start) // stride for s in self._span(start, length * stride)})
        if self.read is None and info.length is not None and base.kind in ("mapping", "array", "string", "bytes", "struct"):
            indices = list(range(min(length, 32)))  # elements whose own data lies elsewhere
        for i in indices:
            self._visit(base, start + i * stride, 0, f"{label}[{i}]", var, depth + 1)
