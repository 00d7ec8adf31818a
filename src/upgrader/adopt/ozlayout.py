"""An OpenZeppelin Upgrades stored layout (upgrades-core ``src/storage/layout.ts``: ``storage``
items with ``contract``/``label``/``type``/``src``/``slot``/``offset``, ``types`` keyed by
solc's type ids, ``namespaces`` keyed ``erc7201:<id>`` with slots relative to the namespace)
as the checker's ``StorageLayout`` JSON, so a deployed version that is not in today's build
can still be compared with its successor."""

from __future__ import annotations

import re
from typing import Any

from upgrader.layout.asttypes import elementary_size
from upgrader.layout.model import Member, Namespace, StorageItem, StorageLayout, TypeInfo
from upgrader.layout.namespaces import erc7201_root

_ARRAY = re.compile(r"^t_array\((.*)\)(dyn|\d+)_storage$")


def convert(oz: dict[str, Any], fqn: str) -> dict[str, Any]:
    """InputError-free: a malformed layout raises ValueError/KeyError for the caller to report."""
    raw_types = oz.get("types") or {}
    types = {type_id: _type(type_id, data) for type_id, data in raw_types.items()}
    items = tuple(_item(i, types) for i in oz.get("storage") or ())
    namespaces = []
    for key, members in sorted((oz.get("namespaces") or {}).items()):
        if not key.startswith("erc7201:"):
            continue  # other formulas: not checked member by member
        ns_id, root = key[len("erc7201:"):], erc7201_root(key[len("erc7201:"):])
        ns_items = tuple(_item(m, types, root) for m in members)
        namespaces.append(Namespace(ns_id, root, ns_items[0].contract if ns_items else fqn, _struct_of(members, types), ns_items))
    return StorageLayout(fqn, items, types, tuple(namespaces)).to_json()


def _fqn(item: dict[str, Any]) -> str:
    source = str(item.get("src", "")).rsplit(":", 1)[0]
    return f"{source}:{item['contract']}" if source else str(item["contract"])


def _item(item: dict[str, Any], types: dict[str, TypeInfo], root: int = 0) -> StorageItem:
    type_id = item["type"]
    return StorageItem(
        contract=_fqn(item), label=item["label"], slot=root + int(item.get("slot", 0)), offset=int(item.get("offset", 0)),
        size=types[type_id].size if type_id in types else 32, type_id=type_id, location=item.get("src"),
        renamed_from=item.get("renamedFrom"), retyped_from=item.get("retypedFrom"),
    )


def _struct_of(members: list[dict[str, Any]], types: dict[str, TypeInfo]) -> str:
    labels = tuple(m["label"] for m in members)
    for info in types.values():
        if info.kind == "struct" and tuple(m.label for m in info.members) == labels:
            return info.name
    return "?"


def _split_pair(inner: str) -> tuple[str, str]:
    depth = 0
    for i, c in enumerate(inner):
        depth += (c == "(") - (c == ")")
        if c == "," and depth == 0:
            return inner[:i], inner[i + 1 :]
    raise ValueError(f"not a mapping type id: t_mapping({inner})")


def _type(type_id: str, data: dict[str, Any]) -> TypeInfo:
    label = str(data.get("label", type_id))
    size = int(data["numberOfBytes"]) if data.get("numberOfBytes") is not None else 32
    if type_id.startswith("t_mapping("):
        key, value = _split_pair(type_id[len("t_mapping("):-1])
        return TypeInfo(type_id, "mapping", label, size, key=key, value=value)
    if (m := _ARRAY.match(type_id)) is not None:
        length = None if m.group(2) == "dyn" else int(m.group(2))
        return TypeInfo(type_id, "array", label, size, base=m.group(1), length=length)
    if type_id.startswith("t_string"):
        return TypeInfo(type_id, "string", label, size)
    if type_id.startswith("t_bytes_"):
        return TypeInfo(type_id, "bytes", label, size)
    if type_id.startswith("t_struct("):
        members = tuple(Member(m["label"], m["type"], int(m.get("slot", 0)), int(m.get("offset", 0))) for m in data.get("members") or ())
        return TypeInfo(type_id, "struct", label, size, members=members)
    if type_id.startswith("t_enum("):
        values = data.get("members")
        return TypeInfo(type_id, "enum", label, size, values=tuple(values) if isinstance(values, list) else None)
    if type_id.startswith("t_userDefinedValueType("):
        return TypeInfo(type_id, "udvt", label, size, base=data.get("underlying"))
    if type_id.startswith("t_contract("):
        return TypeInfo(type_id, "contract", label, size)
    if type_id.startswith("t_function_"):
        return TypeInfo(type_id, "function", label, size, visibility="external" if type_id.startswith("t_function_external") else "internal")
    return TypeInfo(type_id, "elementary", label, size if data.get("numberOfBytes") is not None else elementary_size(label))
