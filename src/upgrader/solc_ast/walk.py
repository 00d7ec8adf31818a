"""Walks over solc AST subtrees, breadth first (as solidity-ast's ``findAll``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Node = dict[str, Any]
Prune = Callable[[Node], bool]
# AST keys whose values never hold a call: type strings, ids, source locations, NatSpec
_NO_CALLS_INSIDE = frozenset(
    {"typeDescriptions", "argumentTypes", "nameLocations", "overloadedDeclarations", "baseFunctions", "documentation"}
)


def find_all(node_type: str | tuple[str, ...], root: Node, prune: Prune | None = None) -> Iterator[Node]:
    """Every node of ``node_type`` under ``root`` (root included), breadth first.

    A node for which ``prune`` is true is neither yielded nor descended into; the root
    itself is subject to ``prune``, as in solidity-ast's ``findAll``."""
    wanted = (node_type,) if isinstance(node_type, str) else node_type
    queue: list[Any] = [root]
    for current in queue:
        if isinstance(current, list):
            queue.extend(current)
            continue
        if not isinstance(current, dict):
            continue
        if "nodeType" in current:
            if prune is not None and prune(current):
                continue
            if current["nodeType"] in wanted:
                yield current
        queue.extend(value for value in current.values() if isinstance(value, (dict, list)))


def calls_with_guards(root: Node) -> list[tuple[Node, tuple[Node, ...]]]:
    """Every ``FunctionCall`` under ``root`` (breadth first, as ``find_all``) with the
    documented nodes on its path, root included: the only nodes an annotation can prune."""
    found: list[tuple[Node, tuple[Node, ...]]] = []
    queue: list[tuple[Any, tuple[Node, ...]]] = [(root, ())]
    append = queue.append
    for current, guards in queue:
        if type(current) is list:
            for item in current:
                if type(item) is dict or type(item) is list:
                    append((item, guards))
            continue
        if "nodeType" in current:
            if current.get("documentation"):
                guards = (*guards, current)
            if current["nodeType"] == "FunctionCall":
                found.append((current, guards))
        for name, value in current.items():
            if (type(value) is dict or type(value) is list) and name not in _NO_CALLS_INSIDE:
                append((value, guards))
    return found
