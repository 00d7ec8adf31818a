"""Storage types computed from the AST, with Solidity's packing rules.

solc's ``storageLayout`` only describes types reachable from state variables; ERC-7201
namespaced structs are not among them, so their members' types, sizes, slots and offsets
are computed here. The ids follow solc's storageLayout spelling so both sources share one
type table. Enum values and UDVT underlying types, which solc's layout omits, come from
here as well.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable

from upgrader.layout.model import Member, TypeInfo
from upgrader.solc_ast.walk import Node

if TYPE_CHECKING:
    from upgrader.solc_ast.index import AstIndex

_ELEMENTARY_SIZE = re.compile(r"^(u?int|bytes)(\d+)$")
_TRAILING_LENGTH = re.compile(r"\[(\d*)\]$")


def elementary_size(label: str) -> int:
    if label in ("address", "address payable", "contract"):
        return 20
    if label == "bool":
        return 1
    match = _ELEMENTARY_SIZE.match(label)
    if match:
        bits_or_bytes = int(match.group(2))
        return bits_or_bytes if match.group(1) == "bytes" else bits_or_bytes // 8
    if label in ("uint", "int"):
        return 32
    return 32


def starts_new_slot(info: TypeInfo) -> bool:
    """Structs and arrays (and everything 32 bytes wide) start a slot and end it."""
    return info.kind in ("struct", "array", "mapping", "bytes", "string")


def pack(types: Iterable[TypeInfo]) -> tuple[list[tuple[int, int]], int]:
    """(slot, offset) of each type laid out in order, and the number of slots used."""
    positions: list[tuple[int, int]] = []
    slot, offset = 0, 0
    for info in types:
        whole = starts_new_slot(info)
        if offset and (whole or offset + info.size > 32):
            slot, offset = slot + 1, 0
        positions.append((slot, offset))
        if whole:
            slot, offset = slot + (info.size + 31) // 32, 0
        else:
            offset += info.size
    return positions, slot + (1 if offset else 0)


def array_size(base: TypeInfo, length: int) -> int:
    if starts_new_slot(base) or base.size > 16:
        return length * ((base.size + 31) // 32) * 32
    per_slot = 32 // base.size
    return ((length + per_slot - 1) // per_slot) * 32


class TypeResolver:
    """Resolves AST type names into ``TypeInfo`` entries of a shared table."""

    def __init__(self, index: AstIndex, table: dict[str, TypeInfo]) -> None:
        self.index = index
        self.table = table

    def resolve(self, type_name: Node) -> str:
        match type_name.get("nodeType"):
            case "ElementaryTypeName":
                return self._elementary(type_name)
            case "UserDefinedTypeName":
                return self.definition(self.index.nodes[type_name["referencedDeclaration"]])
            case "ArrayTypeName":
                return self._array(type_name)
            case "Mapping":
                key = self.resolve(type_name["keyType"])
                value = self.resolve(type_name["valueType"])
                type_id = f"t_mapping({key},{value})"
                label = f"mapping({self.table[key].label} => {self.table[value].label})"
                return self._put(TypeInfo(type_id, "mapping", label, 32, key=key, value=value))
            case "FunctionTypeName":
                visibility = type_name.get("visibility", "internal")
                desc = type_name["typeDescriptions"]
                type_id = desc["typeIdentifier"].replace("$", "")
                size = 24 if visibility == "external" else 8
                return self._put(TypeInfo(type_id, "function", desc["typeString"], size, visibility=visibility))
            case other:
                raise ValueError(f"unsupported type name node {other!r}")

    def definition(self, node: Node) -> str:
        name, node_id = node.get("canonicalName") or node["name"], node["id"]
        match node["nodeType"]:
            case "StructDefinition":
                type_id = f"t_struct({node['name']}){node_id}_storage"
                if type_id not in self.table or not self.table[type_id].members:
                    # placeholder first, so that recursive structs (through mappings) terminate
                    self.table.setdefault(type_id, TypeInfo(type_id, "struct", f"struct {name}", 32))
                    self.table[type_id] = self.struct_type(node, type_id)
                return type_id
            case "EnumDefinition":
                values = tuple(m["name"] for m in node["members"])
                size = max(1, (len(values) - 1).bit_length() + 7 >> 3)
                return self._put(TypeInfo(f"t_enum({node['name']}){node_id}", "enum", f"enum {name}", size, values=values))
            case "UserDefinedValueTypeDefinition":
                base = self.resolve(node["underlyingType"])
                info = TypeInfo(f"t_userDefinedValueType({node['name']}){node_id}", "udvt", name, self.table[base].size, base=base)
                return self._put(info)
            case "ContractDefinition":
                return self._put(TypeInfo(f"t_contract({node['name']}){node_id}", "contract", f"contract {name}", 20))
            case other:
                raise ValueError(f"unsupported type definition {other!r}")

    def struct_type(self, node: Node, type_id: str) -> TypeInfo:
        member_types = [self.resolve(m["typeName"]) for m in node["members"]]
        positions, slots = pack(self.table[t] for t in member_types)
        members = tuple(
            Member(m["name"], t, slot, offset) for m, t, (slot, offset) in zip(node["members"], member_types, positions)
        )
        name = node.get("canonicalName") or node["name"]
        return TypeInfo(type_id, "struct", f"struct {name}", max(slots, 1) * 32, members=members)

    def _elementary(self, node: Node) -> str:
        label = node["typeDescriptions"]["typeString"]
        if label in ("string", "bytes"):
            return self._put(TypeInfo(f"t_{label}_storage", label, label, 32))  # type: ignore[arg-type]
        type_id = node["typeDescriptions"]["typeIdentifier"]
        return self._put(TypeInfo(type_id, "elementary", label, elementary_size(label)))

    def _array(self, node: Node) -> str:
        base = self.resolve(node["baseType"])
        match = _TRAILING_LENGTH.search(node["typeDescriptions"]["typeString"].replace(" storage ref", ""))
        length = int(match.group(1)) if match and match.group(1) else None
        base_info = self.table[base]
        if length is None:
            return self._put(TypeInfo(f"t_array({base})dyn_storage", "array", f"{base_info.label}[]", 32, base=base))
        label = f"{base_info.label}[{length}]"
        size = array_size(base_info, length)
        return self._put(TypeInfo(f"t_array({base}){length}_storage", "array", label, size, base=base, length=length))

    def _put(self, info: TypeInfo) -> str:
        self.table.setdefault(info.id, info)
        return info.id
