"""Build-info (solc storageLayout + AST) -> typed ``StorageLayout``."""

from __future__ import annotations

import re
from typing import Any

from upgrader.errors import InputError
from upgrader.solc_ast.index import AstIndex, index_of
from upgrader.solc_ast.natspec import tag_value
from upgrader.layout.asttypes import TypeResolver, elementary_size
from upgrader.layout.model import LayoutBase, Member, StorageItem, StorageLayout, TypeInfo
from upgrader.layout.namespaces import erc7201_root, namespaces_of

STORAGE_LAYOUT_HINT = (
    "enable storage layouts: Foundry `extra_output = [\"storageLayout\"]` and `build_info = true` in foundry.toml; "
    "Hardhat `outputSelection: {\"*\": {\"*\": [\"storageLayout\"]}}` in the solidity settings"
)
_AST_ID = re.compile(r"\)(\d+)(?:_storage)?$")


def contract_output(build_info: dict[str, Any], fqn: str) -> dict[str, Any]:
    source, _, name = fqn.rpartition(":")
    try:
        return build_info["output"]["contracts"][source][name]
    except KeyError:
        raise InputError(f"contract {fqn} is not in the build-info") from None


def extract_layout(
    build_info: dict[str, Any], fqn: str, index: AstIndex | None = None, empty_if_missing: bool = False
) -> StorageLayout:
    """The storage layout of ``<source>:<Name>``, namespaces included. A missing ``storageLayout``
    is an input error unless ``empty_if_missing`` (the build asked for layouts, or the contract
    has no state variables)."""
    raw = contract_output(build_info, fqn).get("storageLayout")
    if raw is None and empty_if_missing:
        raw = {"storage": [], "types": {}}
    if raw is None:
        raise InputError(f"the build-info has no storageLayout for {fqn}; {STORAGE_LAYOUT_HINT}")
    index = index or index_of(build_info)
    types: dict[str, TypeInfo] = {}
    resolver = TypeResolver(index, types)
    for type_id, data in (raw.get("types") or {}).items():
        types[type_id] = _solc_type(type_id, data, resolver)
    items = tuple(_item(entry, index, types) for entry in raw.get("storage", ()))
    node = index.contracts.get(fqn)
    namespaces = namespaces_of(node, index, types) if node else ()
    return StorageLayout(fqn, items, types, namespaces, layout_base(node, index) if node else None)


_RATIONAL = re.compile(r"^t_rational_(\d+)_by_1$")


def layout_base(contract: dict[str, Any], index: AstIndex) -> LayoutBase | None:
    """The contract's ``layout at <expression>`` (solc 0.8.29+), evaluated as solc types it (an
    integer constant: ``t_rational_<n>_by_1``) or, from 0.8.35, ``erc7201("<id>")`` (as
    upgrades-core ``packages/core/src/utils/erc7201-builtin.ts`` resolveBaseSlot reads both)."""
    specifier = contract.get("storageLayout")
    if not isinstance(specifier, dict):
        return None
    expression = specifier.get("baseSlotExpression") or {}
    where = index.location(specifier)
    rational = _RATIONAL.match((expression.get("typeDescriptions") or {}).get("typeIdentifier") or "")
    if rational:
        return LayoutBase(int(rational.group(1)), where)
    callee = expression.get("expression") or {}
    arguments = expression.get("arguments") or []
    if (
        expression.get("nodeType") == "FunctionCall"
        and callee.get("name") == "erc7201"
        and len(arguments) == 1
        and arguments[0].get("kind") == "string"
        and isinstance(arguments[0].get("value"), str)
    ):
        return LayoutBase(erc7201_root(arguments[0]["value"]), where)
    return LayoutBase(None, where)


def _item(entry: dict[str, Any], index: AstIndex, types: dict[str, TypeInfo]) -> StorageItem:
    node = index.nodes.get(entry.get("astId", -1))
    declared_in = index.nodes.get(node.get("scope", -1)) if node else None  # solc names the laid-out contract
    return StorageItem(
        contract=index.fqn(declared_in) if declared_in else entry["contract"],
        label=entry["label"],
        slot=int(entry["slot"]),
        offset=int(entry["offset"]),
        size=types[entry["type"]].size,
        type_id=entry["type"],
        location=index.location(node) if node else None,
        renamed_from=tag_value(node, "oz-renamed-from") if node else None,
        retyped_from=tag_value(node, "oz-retyped-from") if node else None,
    )


def _solc_type(type_id: str, data: dict[str, Any], resolver: TypeResolver) -> TypeInfo:
    label, size = data["label"], int(data["numberOfBytes"])
    encoding = data.get("encoding", "inplace")
    if encoding == "mapping":
        return TypeInfo(type_id, "mapping", label, size, key=data["key"], value=data["value"])
    if encoding == "dynamic_array":
        return TypeInfo(type_id, "array", label, size, base=data["base"])
    if encoding == "bytes":
        return TypeInfo(type_id, "string" if type_id.startswith("t_string") else "bytes", label, size)
    if "base" in data:  # fixed array
        length = int(re.search(r"\)(\d+)_storage$", type_id).group(1))  # type: ignore[union-attr]
        return TypeInfo(type_id, "array", label, size, base=data["base"], length=length)
    if "members" in data:
        members = tuple(Member(m["label"], m["type"], int(m["slot"]), int(m["offset"])) for m in data["members"])
        return TypeInfo(type_id, "struct", label, size, members=members)
    if type_id.startswith("t_enum("):
        node = _definition(type_id, resolver)
        values = tuple(m["name"] for m in node["members"]) if node else None
        return TypeInfo(type_id, "enum", label, size, values=values)
    if type_id.startswith("t_userDefinedValueType("):
        node = _definition(type_id, resolver)
        base = resolver.resolve(node["underlyingType"]) if node else None
        return TypeInfo(type_id, "udvt", label, size, base=base)
    if type_id.startswith("t_contract("):
        return TypeInfo(type_id, "contract", label, size)
    if type_id.startswith("t_function_"):
        visibility = "external" if type_id.startswith("t_function_external") else "internal"
        return TypeInfo(type_id, "function", label, size, visibility=visibility)
    return TypeInfo(type_id, "elementary", label, size or elementary_size(label))


def _definition(type_id: str, resolver: TypeResolver) -> dict[str, Any] | None:
    match = _AST_ID.search(type_id)
    return resolver.index.nodes.get(int(match.group(1))) if match else None
