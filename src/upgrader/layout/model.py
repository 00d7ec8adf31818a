"""The typed storage layout of one contract, and its JSON form.

Types are kept in a table keyed by solc's type id (``t_uint256``, ``t_struct(S)19_storage``)
and items refer to them by id, the way solc does: recursive structs stay finite and the
whole layout serialises to plain JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Mapping

TypeKind = Literal[
    "elementary", "bytes", "string", "struct", "enum", "array", "mapping", "udvt", "contract", "function"
]

SCHEMA = "upgrader.layout/1"


@dataclass(frozen=True)
class Member:
    """A struct member, with its slot and offset relative to the struct's first slot."""

    label: str
    type_id: str
    slot: int
    offset: int


@dataclass(frozen=True)
class TypeInfo:
    id: str
    kind: TypeKind
    label: str  # canonical, e.g. "uint256", "struct Vault.Position", "mapping(address => uint256)"
    size: int  # bytes taken in storage
    members: tuple[Member, ...] = ()  # struct
    values: tuple[str, ...] | None = None  # enum; None when unknown (no AST)
    base: str | None = None  # array element or UDVT underlying type
    length: int | None = None  # fixed array length; None for dynamic arrays
    key: str | None = None  # mapping
    value: str | None = None  # mapping
    visibility: str | None = None  # function types: "internal" or "external"

    @property
    def name(self) -> str:
        """The label without its leading keyword: "Vault.Position" for "struct Vault.Position"."""
        return self.label.split(" ", 1)[1] if self.kind in ("struct", "enum", "contract") else self.label

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "label": self.label, "size": self.size}
        if self.members:
            data["members"] = [[m.label, m.type_id, m.slot, m.offset] for m in self.members]
        for name in ("values", "base", "length", "key", "value", "visibility"):
            value = getattr(self, name)
            if value is not None:
                data[name] = list(value) if name == "values" else value
        return data

    @classmethod
    def from_json(cls, type_id: str, data: Mapping[str, Any]) -> TypeInfo:
        values = data.get("values")
        return cls(
            id=type_id,
            kind=data["kind"],
            label=data["label"],
            size=int(data["size"]),
            members=tuple(Member(str(m[0]), str(m[1]), int(m[2]), int(m[3])) for m in data.get("members", ())),
            values=tuple(values) if values is not None else None,
            base=data.get("base"),
            length=data.get("length"),
            key=data.get("key"),
            value=data.get("value"),
            visibility=data.get("visibility"),
        )


@dataclass(frozen=True)
class StorageItem:
    contract: str  # "<source>:<Name>" of the contract that declares it
    label: str
    slot: int
    offset: int
    size: int
    type_id: str
    location: str | None = None  # "<source>:<line>"
    renamed_from: str | None = None
    retyped_from: str | None = None

    @property
    def start(self) -> int:
        """First byte, counting every slot as 32 bytes from slot 0."""
        return self.slot * 32 + self.offset

    @property
    def end(self) -> int:
        return self.start + self.size

    @property
    def is_gap(self) -> bool:
        return self.label == "__gap" or self.label.startswith("__gap_")

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "contract": self.contract,
            "label": self.label,
            "slot": str(self.slot),
            "offset": self.offset,
            "size": self.size,
            "type": self.type_id,
            "location": self.location,
        }
        if self.renamed_from is not None:
            data["renamedFrom"] = self.renamed_from
        if self.retyped_from is not None:
            data["retypedFrom"] = self.retyped_from
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StorageItem:
        return cls(
            contract=data["contract"],
            label=data["label"],
            slot=int(data["slot"]),
            offset=int(data["offset"]),
            size=int(data["size"]),
            type_id=data["type"],
            location=data.get("location"),
            renamed_from=data.get("renamedFrom"),
            retyped_from=data.get("retypedFrom"),
        )


@dataclass(frozen=True)
class Namespace:
    """An ERC-7201 namespaced struct; its items carry absolute slots."""

    id: str  # the part after "erc7201:"
    root: int
    contract: str
    struct: str  # canonical struct name, e.g. "Vault.VaultStorage"
    items: tuple[StorageItem, ...]
    location: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "root": hex(self.root),
            "contract": self.contract,
            "struct": self.struct,
            "location": self.location,
            "items": [item.to_json() for item in self.items],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Namespace:
        return cls(
            id=data["id"],
            root=int(data["root"], 16),
            contract=data["contract"],
            struct=data["struct"],
            items=tuple(StorageItem.from_json(i) for i in data["items"]),
            location=data.get("location"),
        )


@dataclass(frozen=True)
class LayoutBase:
    """Solidity's ``layout at <slot>`` (0.8.29): where the contract's variables start."""

    slot: int | None  # None: an expression this checker does not evaluate
    location: str | None = None  # of the specifier

    def to_json(self) -> dict[str, Any]:
        return {"slot": None if self.slot is None else str(self.slot), "location": self.location}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LayoutBase:
        slot = data.get("slot")
        return cls(None if slot is None else int(slot), data.get("location"))


@dataclass(frozen=True)
class StorageLayout:
    contract: str  # "<source>:<Name>"
    items: tuple[StorageItem, ...]
    types: Mapping[str, TypeInfo] = field(default_factory=dict)
    namespaces: tuple[Namespace, ...] = ()
    base: LayoutBase | None = None  # None: no `layout at`, the variables start at slot 0

    @property
    def base_slot(self) -> int | None:
        return self.base.slot if self.base is not None else 0

    def type_of(self, item: StorageItem | Member | str) -> TypeInfo:
        type_id = item if isinstance(item, str) else item.type_id
        return self.types[type_id]

    def to_json(self) -> dict[str, Any]:
        data = {
            "schema": SCHEMA,
            "contract": self.contract,
            "storage": [item.to_json() for item in self.items],
            "namespaces": [ns.to_json() for ns in self.namespaces],
            "types": {type_id: info.to_json() for type_id, info in sorted(self.types.items())},
        }
        if self.base is not None:
            data["base"] = self.base.to_json()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StorageLayout:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not a stored layout (schema {data.get('schema')!r}, expected {SCHEMA!r})")
        return cls(
            contract=data["contract"],
            items=tuple(StorageItem.from_json(i) for i in data["storage"]),
            types={k: _read_type(k, v) for k, v in data["types"].items()},
            namespaces=tuple(_read_namespace(n) for n in data.get("namespaces", ())),
            base=LayoutBase.from_json(data["base"]) if data.get("base") is not None else None,
        )


# Types and namespaces read back by ``StorageLayout.from_json``, by id, with the data each was
# read from: the layouts of a build repeat the same few hundred types (t_address, t_uint256, a
# base's struct) and namespaces (Initializable's, Ownable's ...), which were three fifths of
# reading a 3,200-contract folder's layouts; one whose data differs from the one kept (another
# build's struct under the same id) is read anew and kept instead. Both are immutable, so the
# layouts share them.
_READ: dict[tuple[str, str], tuple[Mapping[str, Any], Any]] = {}


def _read_type(type_id: str, data: Mapping[str, Any]) -> TypeInfo:
    return _shared(("type", type_id), data, lambda: TypeInfo.from_json(type_id, data))  # type: ignore[no-any-return]


def _read_namespace(data: Mapping[str, Any]) -> Namespace:
    return _shared(("namespace", str(data.get("id"))), data, lambda: Namespace.from_json(data))  # type: ignore[no-any-return]


def _shared(key: tuple[str, str], data: Mapping[str, Any], read: Callable[[], Any]) -> Any:
    kept = _READ.get(key)
    if kept is not None and kept[0] == data:
        return kept[1]
    value = read()
    if len(_READ) >= 50_000:
        _READ.clear()
    _READ[key] = (data, value)
    return value
