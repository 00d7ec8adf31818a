"""A shallow index of a build-info's ASTs: definitions by id, contracts by name, and
``src`` offsets turned into ``<source>:<line>``.

Only source-unit and contract-level nodes are indexed (contracts, structs, enums, UDVTs,
state variables); the function bodies that make up most of an AST are never walked.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

Node = dict[str, Any]

_INDEXED = {"ContractDefinition", "StructDefinition", "EnumDefinition", "UserDefinedValueTypeDefinition"}


@dataclass
class AstIndex:
    nodes: dict[int, Node] = field(default_factory=dict)
    contracts: dict[str, Node] = field(default_factory=dict)  # "<source>:<Name>" -> node
    source_of: dict[int, str] = field(default_factory=dict)  # contract id -> source unit
    _file_names: dict[int, str] = field(default_factory=dict)
    _texts: dict[str, str] = field(default_factory=dict)
    _line_starts: dict[str, list[int]] = field(default_factory=dict)
    memo: dict[Any, Any] = field(default_factory=dict)  # per-build caches (e.g. selectors per base)

    @classmethod
    def of(cls, build_info: dict[str, Any]) -> AstIndex:
        index = cls()
        input_sources = build_info.get("input", {}).get("sources", {})
        for source, data in build_info.get("output", {}).get("sources", {}).items():
            ast = data.get("ast")
            if ast is None:
                continue
            index._file_names[int(data.get("id", ast.get("src", "0:0:0").split(":")[2]))] = source
            index._texts[source] = input_sources.get(source, {}).get("content", "")
            for node in ast.get("nodes", ()):
                index._add(node, source)
        return index

    def _add(self, node: Node, source: str) -> None:
        kind = node.get("nodeType")
        if kind not in _INDEXED:
            return
        self.nodes[node["id"]] = node
        if kind == "ContractDefinition":
            self.contracts[f"{source}:{node['name']}"] = node
            self.source_of[node["id"]] = source
            for child in node.get("nodes", ()):
                self._add(child, source)
                if child.get("nodeType") == "VariableDeclaration":
                    self.nodes[child["id"]] = child

    def fqn(self, contract: Node) -> str:
        return f"{self.source_of[contract['id']]}:{contract['name']}"

    def location(self, node: Node) -> str | None:
        """``<source>:<line>`` of a node's ``src`` (byte offsets into UTF-8 text)."""
        try:
            start, _, file_index = (int(x) for x in node["src"].split(":"))
        except (KeyError, ValueError):
            return None
        source = self._file_names.get(file_index)
        if source is None:
            return None
        starts = self._line_starts.get(source)
        if starts is None:
            data = self._texts.get(source, "").encode()
            starts = [0] + [m.end() for m in re.finditer(b"\n", data)]
            self._line_starts[source] = starts
        return f"{source}:{bisect.bisect_right(starts, start)}"

    def bases(self, contract: Node) -> Iterator[Node]:
        """The contract and its parents, most derived first (C3 linearisation)."""
        for base_id in contract.get("linearizedBaseContracts", ()):
            if base_id in self.nodes:
                yield self.nodes[base_id]


def doc_text(node: Node) -> str:
    doc = node.get("documentation")
    if isinstance(doc, dict):
        return doc.get("text", "") or ""
    return doc or ""


def doc_tags(node: Node, tag: str) -> list[str]:
    """Values of every ``@custom:<tag>`` in a node's NatSpec (one per occurrence)."""
    pattern = re.compile(rf"@custom:{re.escape(tag)}[ \t]+([^\n@]*)")
    return [m.group(1).strip() for m in pattern.finditer(doc_text(node))]


def doc_tag(node: Node, tag: str) -> str | None:
    values = doc_tags(node, tag)
    return values[0] if values else None
