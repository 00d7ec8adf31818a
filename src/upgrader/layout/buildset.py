"""Build-infos held in memory with their AST indexes, and the contracts in them by fully
qualified name (``<source>:<Name>``): their nodes and storage layouts.

The check reads builds through their facts (``upgrader.check.builds``), which are extracted
from a ``BuildSet`` of one build-info (``upgrader.check.extract``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from upgrader.solc_ast.index import AstIndex, index_of
from upgrader.solc_ast.walk import Node
from upgrader.layout.extract import extract_layout
from upgrader.layout.model import StorageLayout
from upgrader.layout.contract_builds import ContractBuilds


@dataclass
class _Build:
    info: dict[str, Any]
    index: AstIndex
    path: Path | None = None

    @property
    def name(self) -> str:
        return self.path.name if self.path else str(self.info.get("id", "build-info"))


@dataclass
class BuildSet(ContractBuilds[_Build]):
    @classmethod
    def of(cls, *build_infos: dict[str, Any]) -> BuildSet:
        builds = cls()
        for info in build_infos:
            builds.add(info)
        return builds

    def add(self, info: dict[str, Any], path: Path | None = None) -> None:
        build = _Build(info, index_of(info), path)
        self.hold(build, build.index.contracts)

    def node(self, fqn: str) -> Node:
        return self.owner[fqn].index.contracts[fqn]

    def index(self, fqn: str) -> AstIndex:
        return self.owner[fqn].index

    def build_info(self, fqn: str) -> dict[str, Any]:
        return self.owner[fqn].info

    def _read_layout(self, fqn: str) -> StorageLayout:
        build = self.owner[fqn]
        empty_if_missing = asks_for_layouts(build.info, fqn) or not self.has_state_variables(fqn)
        return extract_layout(build.info, fqn, build.index, empty_if_missing)

    def has_state_variables(self, fqn: str) -> bool:
        """Whether the contract or a base declares a variable that takes a storage slot."""
        for base in self.owner[fqn].index.linearized(self.node(fqn)):
            for child in base.get("nodes", ()):
                if child.get("nodeType") == "VariableDeclaration" and child.get("stateVariable") and not child.get("constant"):
                    if child.get("mutability") != "immutable":
                        return True
        return False


def has_layouts(build_info: dict[str, Any]) -> bool:
    """Whether the build asked for storage layouts (or holds one)."""
    if _selection_asks(build_info):
        return True
    return any("storageLayout" in c for contracts in build_info.get("output", {}).get("contracts", {}).values() for c in contracts.values())


def asks_for_layouts(build_info: dict[str, Any], fqn: str) -> bool:
    """Whether the build's ``outputSelection`` asks for the contract's ``storageLayout``: then a
    missing layout is an empty one (foundry-compilers drops empty layouts from its build-info)."""
    source, _, name = fqn.rpartition(":")
    return _selection_asks(build_info, (source, "*"), (name, "*"))


def _selection_asks(build_info: dict[str, Any], files: tuple[str, ...] = ("*",), names: tuple[str, ...] = ("*",)) -> bool:
    selection = (build_info.get("input", {}).get("settings") or {}).get("outputSelection") or {}
    for file_key in files:
        per_file = selection.get(file_key) or {}
        for name_key in names:
            if "storageLayout" in (per_file.get(name_key) or ()):
                return True
    return False
