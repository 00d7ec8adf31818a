"""Names for storage slots: every slot a layout occupies (mapping keys drawn from candidates,
as ``storage_walk`` does) with the variable, type, offset and size in it, so a changed word
decodes to ``_balances[0x…]: 10 -> 0``; plus slots with fixed names on any contract (ERC-1967,
the Safe's guard and fallback handler) and the Safe's own layout."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from eth_utils import to_checksum_address

from upgrader.constants import ERC1967_SLOTS
from upgrader.keccak import keccak
from upgrader.layout.model import Namespace, StorageItem, StorageLayout, TypeInfo
from upgrader.sim.storage_walk import MAX_ARRAY, KeyCandidates, mapping_slot

ADDRESS = TypeInfo("t_address", "elementary", "address", 20)
UINT = TypeInfo("t_uint256", "elementary", "uint256", 32)
BYTES32 = TypeInfo("t_bytes32", "elementary", "bytes32", 32)


def _named(text: str) -> int:
    return int.from_bytes(keccak(text.encode()), "big")


# slots with the same meaning on every contract (ERC-1967; Safe GuardManager / FallbackManager)
FIXED: dict[int, tuple[str, TypeInfo]] = {
    **{slot: (label, ADDRESS) for slot, label in ERC1967_SLOTS.items()},
    _named("guard_manager.guard.address"): ("Safe guard", ADDRESS),
    _named("fallback_manager.handler.address"): ("Safe fallback handler", ADDRESS),
}


def _safe_layout() -> StorageLayout:
    """Safe 1.x storage (SafeStorage.sol of safe-smart-account, 1.0.0 to 1.4.1)."""
    types = {t.id: t for t in (ADDRESS, UINT, BYTES32)}
    types["t_map_aa"] = TypeInfo("t_map_aa", "mapping", "mapping(address => address)", 32, key="t_address", value="t_address")
    types["t_map_bu"] = TypeInfo("t_map_bu", "mapping", "mapping(bytes32 => uint256)", 32, key="t_bytes32", value="t_uint256")
    types["t_map_abu"] = TypeInfo("t_map_abu", "mapping", "mapping(address => mapping(bytes32 => uint256))", 32, key="t_address", value="t_map_bu")
    rows = [("singleton", "t_address"), ("modules", "t_map_aa"), ("owners", "t_map_aa"), ("ownerCount", "t_uint256"),
            ("threshold", "t_uint256"), ("nonce", "t_uint256"), ("_deprecatedDomainSeparator", "t_bytes32"),
            ("signedMessages", "t_map_bu"), ("approvedHashes", "t_map_abu")]
    items = tuple(StorageItem("SafeStorage", label, slot, 0, types[t].size, t) for slot, (label, t) in enumerate(rows))
    return StorageLayout("SafeStorage", items, types)


SAFE_LAYOUT = _safe_layout()


@dataclass(frozen=True)
class Field:
    label: str
    info: TypeInfo
    offset: int  # bytes from the right of the word, as solc packs
    size: int

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


class SlotNames:
    """slot -> the fields in it, for one layout, as far as they name a slot of ``targets`` (the
    changed ones): dynamic arrays and long strings are not read, the changed slots in their
    data area say which elements to name."""

    def __init__(self, layout: StorageLayout, keys: KeyCandidates, targets: set[int], mappings: bool = True) -> None:
        self.layout, self.keys, self.mappings = layout, keys, mappings
        self.targets = sorted(targets)
        self.fields: dict[int, list[Field]] = {}
        for item in layout.items:
            self._visit(layout.type_of(item), item.slot, item.offset, item.label)
        for ns in layout.namespaces:
            self._namespace(ns)

    def _namespace(self, ns: Namespace) -> None:
        for item in ns.items:
            self._visit(self.layout.type_of(item), item.slot, item.offset, f"{ns.struct.rsplit('.', 1)[-1]}.{item.label}")

    def _changed_in(self, start: int, count: int) -> list[int]:
        i = bisect_left(self.targets, start)
        out = []
        while i < len(self.targets) and self.targets[i] < start + count:
            out.append(self.targets[i])
            i += 1
        return out

    def _add(self, slot: int, label: str, info: TypeInfo, offset: int, size: int) -> None:
        known = self.fields.setdefault(slot, [])
        if not any(f.offset == offset and f.label == label for f in known):
            known.append(Field(label, info, offset, size))

    def _visit(self, info: TypeInfo, slot: int, offset: int, label: str, depth: int = 0) -> None:
        if depth > 6:
            return
        match info.kind:
            case "elementary" | "enum" | "udvt" | "contract" | "function":
                self._add(slot, label, info, offset, info.size)
            case "string" | "bytes":
                self._add(slot, f"{label} (length/short value)", BYTES32, 0, 32)
                base = int.from_bytes(keccak(slot.to_bytes(32, "big")), "big")
                for s in self._changed_in(base, 64):
                    self._add(s, f"{label} <data {s - base}>", BYTES32, 0, 32)
            case "struct":
                for m in info.members:
                    self._visit(self.layout.type_of(m.type_id), slot + m.slot, m.offset, f"{label}.{m.label}", depth + 1)
            case "array":
                self._array(info, slot, label, depth)
            case "mapping" if self.mappings:
                key = self.layout.type_of(info.key) if info.key else None
                value = self.layout.type_of(info.value) if info.value else None
                if key is None or value is None:
                    return
                for k in self.keys.for_type(key):
                    shown = show_value(key, k, key.size) if key.kind != "elementary" or key.label == "address" else (
                        str(k) if key.label.startswith(("uint", "int")) else f"{k:#x}")
                    self._visit(value, mapping_slot(k, slot), 0, f"{label}[{shown}]", depth + 1)
            case "mapping":
                pass
            case _:
                self._add(slot, label, BYTES32, 0, 32)

    def _array(self, info: TypeInfo, slot: int, label: str, depth: int) -> None:
        base = self.layout.type_of(info.base) if info.base else None
        if base is None:
            return
        if info.length is None:
            self._add(slot, f"{label}.length", UINT, 0, 32)
            length, start = MAX_ARRAY, int.from_bytes(keccak(slot.to_bytes(32, "big")), "big")
        else:
            length, start = min(info.length, MAX_ARRAY), slot
        if base.size <= 16 and base.kind not in ("struct", "array", "mapping", "string", "bytes"):
            per_slot = 32 // base.size
            for s in self._changed_in(start, (length + per_slot - 1) // per_slot):
                for j in range(per_slot):
                    i = (s - start) * per_slot + j
                    self._add(s, f"{label}[{i}]", base, j * base.size, base.size)
            return
        stride = max(1, (base.size + 31) // 32)
        indices = sorted({(s - start) // stride for s in self._changed_in(start, length * stride)})
        if info.length is not None and base.kind in ("mapping", "array", "string", "bytes", "struct"):
            indices = list(range(min(length, 32)))  # elements whose own data lies elsewhere
        for i in indices:
            self._visit(base, start + i * stride, 0, f"{label}[{i}]", depth + 1)


def describe_change(fields: list[Field] | None, slot: int, before: int, after: int) -> list[dict[str, str]]:
    """One entry per field whose value changed in this word; the raw word when none is known."""
    if slot in FIXED and not fields:
        label, info = FIXED[slot]
        fields = [Field(label, info, 0, info.size)]
    out = []
    for f in fields or []:
        if f.value(before) != f.value(after):
            out.append({"slot": hex(slot), "name": f.label, "type": f.info.label, "before": f.show(before), "after": f.show(after)})
    if not out:  # unknown slot, or a change in bytes no known field covers
        out.append({"slot": hex(slot), "name": None, "type": None, "before": f"{before:#066x}", "after": f"{after:#066x}"})
    return out


def names_for(layout: StorageLayout, keys: KeyCandidates, targets: set[int]) -> dict[int, list[Field]]:
    """Fields of the changed slots; mapping entries (keys² hashes for nested mappings) are
    searched only when fixed variables do not already name every changed slot."""
    fixed = SlotNames(layout, keys, targets, mappings=False).fields
    if all(t in fixed or t in FIXED for t in targets):
        return fixed
    return SlotNames(layout, keys, targets).fields
