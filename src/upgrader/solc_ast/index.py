"""One index over the solc ASTs of a build-info, used by ``layout/`` and ``validate/``:
declarations by id, contracts by their fully qualified name, linearized bases, virtual-call
resolution and ``src`` -> ``<source>:<line>``.

Only source-unit and contract-level nodes are indexed: every declaration looked up by id
(contracts, functions, modifiers, structs, enums, value types, variables, constants) lives
there, and the function bodies that make up most of an AST are left unwalked.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from upgrader.errors import InputError
from upgrader.solc_ast.bodies import read_all
from upgrader.solc_ast.walk import Node, calls_with_guards


@dataclass
class AstIndex:
    build_info: dict[str, Any]
    nodes: dict[int, Node] = field(default_factory=dict)
    contracts: dict[str, Node] = field(default_factory=dict)  # "<source unit>:<Name>" -> ContractDefinition
    source_of: dict[int, str] = field(default_factory=dict)  # contract id -> source unit
    missing_ast: list[str] = field(default_factory=list)  # source units compiled without an AST
    _unit_by_file_index: dict[int, str] = field(default_factory=dict)
    _line_starts: dict[str, list[int]] = field(default_factory=dict)
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)  # per-build caches for the rules
    absent_call_types: frozenset[str] = frozenset()  # call types no AST holds (solc_ast.buildinfo)

    @classmethod
    def of(cls, build_info: dict[str, Any]) -> AstIndex:
        from upgrader.solc_ast.buildinfo import ABSENT_CALL_TYPES

        index = cls(build_info, absent_call_types=build_info.get(ABSENT_CALL_TYPES) or frozenset())
        output = build_info.get("output")
        sources = output.get("sources") if isinstance(output, dict) else None
        for unit, entry in (sources or {}).items():
            ast = entry.get("ast")
            if ast is None:
                index.missing_ast.append(unit)
                continue
            index._unit_by_file_index[int(entry.get("id", ast.get("src", "0:0:0").split(":")[2]))] = unit
            index._index_declarations(unit, ast)
        return index

    def _index_declarations(self, unit: str, ast: Node) -> None:
        for node in ast.get("nodes", ()):
            self.nodes[node["id"]] = node
            if node["nodeType"] == "ContractDefinition":
                self.contracts[f"{unit}:{node['name']}"] = node
                self.source_of[node["id"]] = unit
                for member in node.get("nodes", ()):
                    self.nodes[member["id"]] = member

    def calls_under(self, root: Node) -> list[tuple[Node, tuple[Node, ...]]]:
        """``walk.calls_with_guards(root)``, walked once per root and build; a rule then filters
        by its own annotations, so bases shared by many contracts are not walked again."""
        key = ("calls-under", root["id"])
        cached = self.memo.get(key)
        if cached is None:
            cached = self.memo[key] = calls_with_guards(read_all(root))
        return cached  # type: ignore[no-any-return]

    def may_call(self, call_type: str) -> bool:
        """Whether a call whose typeIdentifier starts with ``call_type`` can be in the build."""
        return call_type not in self.absent_call_types

    # -- lookups ---------------------------------------------------------------------------

    def contract(self, fqn: str) -> Node:
        try:
            return self.contracts[fqn]
        except KeyError:
            names = ", ".join(sorted(k for k in self.contracts if k.endswith(":" + fqn.split(":")[-1])))
            suggestion = f"; did you mean {names}?" if names else ""
            raise InputError(f"unknown contract {fqn!r} in the build-info{suggestion}") from None

    def fqn(self, contract: Node) -> str:
        unit = self.source_of.get(contract["id"]) or self.unit_of(contract)
        return f"{unit}:{contract['name']}"

    def linearized(self, contract: Node) -> list[Node]:
        """The contract and its bases, most derived first (C3 linearisation)."""
        return [self.nodes[i] for i in contract.get("linearizedBaseContracts", ()) if i in self.nodes]

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

    def location(self, node: Node) -> str | None:
        """``<source>:<line>`` of a node's ``src`` (byte offsets into UTF-8 text); line 0 when
        the build-info does not hold the source text; None without a known source."""
        try:
            start, _, file_index = (int(part) for part in node["src"].split(":"))
        except (KeyError, ValueError):
            return None
        unit = self._unit_by_file_index.get(file_index)
        if unit is None:
            return None
        return f"{unit}:{self._line(unit, start)}"

    def _line(self, unit: str, byte_offset: int) -> int:
        starts = self._line_starts.get(unit)
        if starts is None:
            source = ((self.build_info.get("input") or {}).get("sources") or {}).get(unit) or {}
            content = source.get("content") if isinstance(source, dict) else None
            if content is None:
                return 0
            data = content.encode()  # solc offsets count bytes of UTF-8
            starts = [0] + [match.end() for match in re.finditer(b"\n", data)]
            self._line_starts[unit] = starts
        return bisect.bisect_right(starts, byte_offset)


_indexes: list[tuple[dict[str, Any], AstIndex]] = []


def forget(build_info: dict[str, Any]) -> None:
    """Drop the index of ``build_info`` (its ASTs are then freed with the build)."""
    _indexes[:] = [(known, index) for known, index in _indexes if known is not build_info]


def index_of(build_info: dict[str, Any]) -> AstIndex:
    """The index of ``build_info``, built once and shared for the same dict (the layout reader
    and the validator ask for it for the same builds)."""
    for known, index in _indexes:
        if known is build_info:
            return index
    index = AstIndex.of(build_info)
    _indexes[:] = [*_indexes[-7:], (build_info, index)]
    return index
