"""Names for changed storage words: through a layout (``sim.storage``, the one decoder), plus
slots with fixed names on any contract (ERC-1967, the Safe's guard and fallback handler) and
the Safe's own layout."""

from __future__ import annotations

from upgrader.constants import ERC1967_SLOTS
from upgrader.keccak import keccak
from upgrader.layout.model import StorageItem, StorageLayout, TypeInfo
from upgrader.sim.storage import ADDRESS, BYTES32, UINT, Field, KeyCandidates, LayoutFields


def _named(text: str) -> int:
    return int.from_bytes(keccak(text.encode()), "big")


# slots with the same meaning on every contract (ERC-1967; Safe GuardManager / FallbackManager,
# and 1.5.0's module guard: safe-global/safe-smart-account v1.5.0 contracts/base/ModuleManager.sol
# MODULE_GUARD_STORAGE_SLOT = keccak256("module_manager.module_guard.address"))
FIXED: dict[int, tuple[str, TypeInfo]] = {
    **{slot: (label, ADDRESS) for slot, label in ERC1967_SLOTS.items()},
    _named("guard_manager.guard.address"): ("Safe guard", ADDRESS),
    _named("fallback_manager.handler.address"): ("Safe fallback handler", ADDRESS),
    _named("module_manager.module_guard.address"): ("Safe module guard", ADDRESS),
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


def describe_change(fields: list[Field] | None, slot: int, before: int, after: int,
                    decoded_by: str | None = None) -> list[dict[str, str | None]]:
    """One entry per field whose value changed in this word; the raw word when none is known.
    ``decoded_by`` says what named it (a layout, "standard slot", ...), None when nothing did."""
    if slot in FIXED and not fields:
        label, info = FIXED[slot]
        fields, decoded_by = [Field(label, info, 0, info.size)], "standard slot"
    out: list[dict[str, str | None]] = []
    for f in fields or []:
        if f.value(before) != f.value(after):
            out.append({"slot": hex(slot), "name": f.label, "type": f.info.label, "before": f.show(before), "after": f.show(after),
                        "decoded_by": decoded_by})
    if not out:  # unknown slot, or a change in bytes no known field covers
        out.append({"slot": hex(slot), "name": None, "type": None, "before": f"{before:#066x}", "after": f"{after:#066x}",
                    "decoded_by": None})
    return out


def name_slots(layout: StorageLayout | None, source: str | None, keys: KeyCandidates, targets: set[int],
               preimages: dict[int, bytes] | None = None) -> tuple[dict[int, list[Field]], dict[int, str]]:
    """Fields of the changed slots and what named each: the contract's own layout (``source``),
    then OpenZeppelin 5's namespaces (``sim.known_slots``), then the keccak preimages the
    transaction hashed (``sim.preimages``: the slot's structure, its words raw)."""
    from upgrader.sim.known_slots import OZ_NAMESPACES
    from upgrader.sim.preimages import structure_of

    fields = names_for(layout, keys, targets) if layout is not None else {}
    by = {s: source or "layout" for s in fields}
    rest = {t for t in targets if t not in fields and t not in FIXED}
    if rest:
        known = names_for(OZ_NAMESPACES, keys, rest)
        fields.update(known)
        by.update({s: "OpenZeppelin 5 namespace" for s in known})
    for t in sorted(t for t in rest if t not in fields) if preimages else ():
        named = {s: fs[0].label for s, fs in fields.items()} | {s: label for s, (label, _) in FIXED.items()}
        shape = structure_of(t, preimages, named)
        if shape is not None:
            fields[t], by[t] = [Field(shape, BYTES32, 0, 32)], "keccak preimage"
    return fields, by


def names_for(layout: StorageLayout, keys: KeyCandidates, targets: set[int]) -> dict[int, list[Field]]:
    """Fields of the changed slots; mapping entries (keys² hashes for nested mappings) are
    searched only when fixed variables do not already name every changed slot."""
    fixed = LayoutFields(layout, keys, targets=targets, mappings=False).fields
    if all(t in fixed or t in FIXED for t in targets):
        return fixed
    return LayoutFields(layout, keys, targets=targets).fields
