"""ERC-7201 namespaced storage: root slots and the exact place of every member.

A struct annotated ``/// @custom:storage-location erc7201:<id>`` lives at
``keccak256(abi.encode(uint256(keccak256(id)) - 1)) & ~bytes32(uint256(0xff))``; its
members follow Solidity's packing rules from there (computed in ``asttypes``).
"""

from __future__ import annotations

from functools import lru_cache

from upgrader.keccak import keccak, keccak_pure
from upgrader.solc_ast.index import AstIndex
from upgrader.solc_ast.natspec import tag_value
from upgrader.solc_ast.walk import Node
from upgrader.layout.asttypes import TypeResolver
from upgrader.layout.model import Namespace, StorageItem, TypeInfo

ERC7201 = "erc7201:"


_PURE_HASHES = [16]  # the first few in pure Python (no ~10 ms C import); then pycryptodome (~1 ms each saved)


def _hash(data: bytes) -> bytes:
    if _PURE_HASHES[0] > 0:
        _PURE_HASHES[0] -= 1
        return keccak_pure(data)
    return keccak(data)


@lru_cache(maxsize=None)  # the same few ids (OpenZeppelin's) recur in every contract of a build
def erc7201_root(namespace_id: str) -> int:
    inner = int.from_bytes(_hash(namespace_id.encode()), "big") - 1
    outer = int.from_bytes(_hash(inner.to_bytes(32, "big")), "big")
    return outer & ~0xFF


def storage_location(struct: Node) -> str | None:
    """The ERC-7201 id of a struct, or None if it is not a namespace (other formulas are ignored)."""
    location = tag_value(struct, "storage-location")
    if location and location.startswith(ERC7201):
        return location[len(ERC7201):].strip()
    return None


def namespaces_of(contract: Node, index: AstIndex, types: dict[str, TypeInfo]) -> tuple[Namespace, ...]:
    """Every namespace declared by the contract or a parent, base-most first."""
    resolver = TypeResolver(index, types)
    found: list[Namespace] = []
    for base in reversed(index.linearized(contract)):
        for node in base.get("nodes", ()):
            if node.get("nodeType") != "StructDefinition":
                continue
            namespace_id = storage_location(node)
            if namespace_id is not None:
                found.append(_namespace(namespace_id, node, index.fqn(base), index, resolver))
    return tuple(found)


def _namespace(namespace_id: str, struct: Node, contract: str, index: AstIndex, resolver: TypeResolver) -> Namespace:
    type_id = resolver.definition(struct)
    info = resolver.table[type_id]
    root = erc7201_root(namespace_id)
    items = tuple(
        StorageItem(
            contract=contract,
            label=member.label,
            slot=root + member.slot,
            offset=member.offset,
            size=resolver.table[member.type_id].size,
            type_id=member.type_id,
            location=index.location(node),
        )
        for member, node in zip(info.members, struct["members"])
    )
    return Namespace(namespace_id, root, contract, info.name, items, index.location(struct))
