"""An index over the solc ASTs of one build-info: declarations by id, contracts by their
fully qualified name, linearized bases, virtual-call resolution and ``src`` -> line."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from upgrader.errors import InputError

Node = dict[str, Any]
# AST keys whose values never hold a call: type strings, ids, source locations, NatSpec
_NO_CALLS_INSIDE = frozenset(
    {"typeDescriptions", "argumentTypes", "nameLocations", "overloadedDeclarations", "baseFunctions", "documentation"}
)
Prune = Callable[[Node], bool]


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


@dataclass
class AstIndex:
    """Built once per build-info; cheap lookups for the rules."""

    build_info: dict[str, Any]
    nodes: dict[int, Node] = field(default_factory=dict)
    contracts: dict[str, Node] = field(default_factory=dict)  # "<source unit>:<Name>" -> ContractDefinition
    _unit_by_file_index: dict[int, str] = field(default_factory=dict)
    _line_starts: dict[str, list[int]] = field(default_factory=dict)
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)  # per-build caches for the rules

    @classmethod
    def build(cls, build_info: dict[str, Any]) -> AstIndex:
        try:
            sources = build_info["output"]["sources"]
        except (KeyError, TypeError) as exc:
            raise InputError("build-info has no output.sources; it is not a solc build-info file") from exc
        index = cls(build_info)
        for unit, entry in sources.items():
            ast = entry.get("ast")
            if ast is None:
                raise InputError(
                    f"build-info has no AST for {unit}; compile with outputSelection '*': {{'': ['ast']}}"
                )
            index._unit_by_file_index[int(entry["id"])] = unit
            index._index_declarations(unit, ast)
        return index

    def _index_declarations(self, unit: str, ast: Node) -> None:
        """Source-unit and contract-level nodes only: every declaration a rule looks up by id
        (contracts, functions, modifiers, structs, constants) lives there, and the function
        bodies that make up most of an AST are left unwalked."""
        for node in ast.get("nodes", ()):
            self.nodes[node["id"]] = node
            if node["nodeType"] == "ContractDefinition":
                self.contracts[f"{unit}:{node['name']}"] = node
                for member in node.get("nodes", ()):
                    self.nodes[member["id"]] = member

    def calls_under(self, root: Node) -> list[tuple[Node, tuple[Node, ...]]]:
        """Every ``FunctionCall`` under ``root`` (breadth first, as ``find_all``) with the
        documented nodes on its path, root included: the only nodes an annotation can prune.

        Walked once per root and build; a rule then filters by its own annotations, so the
        bases shared by many contracts are not walked again for each of them."""
        key = ("calls-under", root["id"])
        cached = self.memo.get(key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        found: list[tuple[Node, tuple[Node, ...]]] = []
        queue: list[tuple[Any, tuple[Node, ...]]] = [(root, ())]
        append = queue.append
        for current, guards in queue:  # breadth first, as find_all
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
        self.memo[key] = found
        return found

    # -- lookups ---------------------------------------------------------------------------

    def contract(self, fqn: str) -> Node:
        try:
            return self.contracts[fqn]
        except KeyError:
            names = ", ".join(sorted(k for k in self.contracts if k.endswith(":" + fqn.split(":")[-1])))
            suggestion = f"; did you mean {names}?" if names else ""
            raise InputError(f"unknown contract {fqn!r} in the build-info{suggestion}") from None

    def fqn(self, contract: Node) -> str:
        return f"{self.unit_of(contract)}:{contract['name']}"

    def linearized(self, contract: Node) -> list[Node]:
        """The contract and its bases, most derived first."""
        return [self.nodes[i] for i in contract["linearizedBaseContracts"]]

    def container(self, node: Node) -> Node | None:
        """The contract (or library) a function, modifier or variable is declared in."""
        scope = self.nodes.get(node.get("scope", -1))
        return scope if scope is not None and scope["nodeType"] == "ContractDefinition" else None

    def function(self, node_id: int | None) -> Node | None:
        if node_id is None or node_id <= 0:  # non-positive ids are built-ins
            return None
        node = self.nodes.get(node_id)
        return node if node is not None and node["nodeType"] == "FunctionDefinition" else None

    def dispatch(self, fn: Node, contract: Node) -> Node:
        """The function a virtual call to ``fn`` runs when the deployed contract is ``contract``."""
        if not fn.get("virtual") and not fn.get("baseFunctions"):
            return fn
        key = ("dispatch", contract["id"])
        table = self.memo.get(key)
        if table is None:  # every overridden id -> its most derived override, once per contract
            table = {}
            for base in self.linearized(contract):
                for member in base["nodes"]:
                    if member["nodeType"] == "FunctionDefinition":
                        for overridden in self.overridden(member):
                            table.setdefault(overridden, member)
            self.memo[key] = table
        return table.get(fn["id"], fn)  # type: ignore[no-any-return]

    def overridden(self, fn: Node) -> set[int]:
        """Ids of ``fn`` and every function it overrides, transitively."""
        key = ("overridden", fn["id"])
        cached = self.memo.get(key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        seen: set[int] = set()
        todo = [fn["id"]]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            node = self.nodes.get(current)
            if node is not None:
                todo.extend(node.get("baseFunctions") or [])
        self.memo[key] = seen
        return seen

    # -- locations ----------------------------------------------------------------------

    def unit_of(self, node: Node) -> str:
        return self._unit_by_file_index[int(node["src"].split(":")[2])]

    def location(self, node: Node) -> str:
        start, _, file_index = (int(part) for part in node["src"].split(":"))
        unit = self._unit_by_file_index[file_index]
        return f"{unit}:{self._line(unit, start)}"

    def _line(self, unit: str, byte_offset: int) -> int:
        starts = self._line_starts.get(unit)
        if starts is None:
            content = self.build_info.get("input", {}).get("sources", {}).get(unit, {}).get("content")
            if content is None:
                return 0
            data = content.encode()  # solc offsets count bytes of UTF-8
            starts = [0] + [match.end() for match in re.finditer(b"\n", data)]
            self._line_starts[unit] = starts
        return bisect.bisect_right(starts, byte_offset)
