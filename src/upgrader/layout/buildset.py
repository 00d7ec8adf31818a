"""A set of build-infos (one dict, or a folder of Hardhat/Foundry build-info files) and the
contracts in them: lookup by name or ``<source>:<Name>``, cached layouts.

A folder is read as one build: a source unit that two files hold with different text means
one of them is stale (forge keeps the old build-info beside the new one after an incremental
build), and the folder is refused, whatever the files are called.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from upgrader.errors import InputError
from upgrader.solc_ast.index import AstIndex, index_of
from upgrader.solc_ast.natspec import tag_value
from upgrader.solc_ast.walk import Node
from upgrader.layout.extract import STORAGE_LAYOUT_HINT, extract_layout
from upgrader.layout.model import StorageLayout

CLEAN_AND_REBUILD = "clean and rebuild (forge clean && forge build, or npx hardhat clean && npx hardhat compile)"


@dataclass
class _Build:
    info: dict[str, Any]
    index: AstIndex
    path: Path | None = None

    @property
    def name(self) -> str:
        return self.path.name if self.path else str(self.info.get("id", "build-info"))


@dataclass
class BuildSet:
    builds: list[_Build] = field(default_factory=list)
    owner: dict[str, _Build] = field(default_factory=dict)  # fqn -> the build that compiled it
    dir_name: str = ""  # the folder's short name, for `<dir>:<Contract>` references
    _layouts: dict[str, StorageLayout] = field(default_factory=dict)

    @classmethod
    def of(cls, *build_infos: dict[str, Any]) -> BuildSet:
        builds = cls()
        for info in build_infos:
            builds.add(info)
        return builds

    @classmethod
    def load(cls, folder: Path) -> BuildSet:
        """Every ``*.json`` build-info under ``folder``; a stale build among them is an input error."""
        if not folder.is_dir():
            raise InputError(f"{folder} is not a folder; pass the build-info folder (Hardhat artifacts/build-info, Foundry out/build-info)")
        builds = cls(dir_name=folder.resolve().name)
        for path in sorted(folder.rglob("*.json")):
            if path.name.endswith(".output.json"):
                continue
            info = _read_json(path)
            if isinstance(info, dict) and "input" in info and "output" not in info and path.with_suffix(".output.json").is_file():
                output = _read_json(path.with_suffix(".output.json"))  # Hardhat 3 keeps the output beside
                info = {**info, "output": output.get("output", output) if isinstance(output, dict) else output}
            if not isinstance(info, dict) or not isinstance(info.get("output"), dict) or "input" not in info:
                raise InputError(f"{path} is not a build-info (no input/output); point --build-info at the build-info folder")
            builds.add(info, path)
        if not builds.builds:
            raise InputError(f"no build-info files in {folder}; compile with build-info enabled first")
        builds.refuse_stale()
        return builds

    def add(self, info: dict[str, Any], path: Path | None = None) -> None:
        build = _Build(info, index_of(info), path)
        self.builds.append(build)
        for fqn in build.index.contracts:
            self.owner.setdefault(fqn, build)  # same text in every build (refuse_stale): any one will do

    def refuse_stale(self) -> None:
        """Two builds that hold the same source unit with different text: one is stale.
        Decided by content alone, so the verdict never depends on the files' names or order.
        (OpenZeppelin's validate stops in the same situation with "clean and recompile".)"""
        first: dict[str, tuple[str, _Build]] = {}
        clashes: dict[str, set[str]] = {}
        for build in self.builds:
            for unit, source in (build.info.get("input", {}).get("sources") or {}).items():
                content = source.get("content") if isinstance(source, dict) else None
                if content is None:
                    continue
                seen = first.setdefault(unit, (content, build))
                if seen[0] != content:
                    clashes.setdefault(unit, {seen[1].name}).add(build.name)
        if not clashes:
            return
        unit = min(clashes)
        contracts = sorted(fqn for fqn in self.owner if fqn.rpartition(":")[0] == unit) or [unit]
        more = f" (and {len(clashes) - 1} more source files)" if len(clashes) > 1 else ""
        raise InputError(
            f"stale build-info: {', '.join(contracts)} was built twice from different sources{more}, "
            f"in {' and '.join(sorted(clashes[unit]))}; {CLEAN_AND_REBUILD}"
        )

    def resolve(self, name: str) -> str:
        """``Name`` or ``<source>:<Name>`` -> the fully qualified name; unknown/ambiguous is an input error."""
        if name in self.owner:
            return name
        matches = sorted(fqn for fqn in self.owner if fqn.rpartition(":")[2] == name)
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise InputError(f"unknown contract {name!r}; use a contract name or <source>:<Name> from the build")
        raise InputError(f"contract name {name!r} is ambiguous ({', '.join(matches)}); use <source>:<Name>")

    def node(self, fqn: str) -> Node:
        return self.owner[fqn].index.contracts[fqn]

    def index(self, fqn: str) -> AstIndex:
        return self.owner[fqn].index

    def build_info(self, fqn: str) -> dict[str, Any]:
        return self.owner[fqn].info

    def layout(self, fqn: str) -> StorageLayout:
        if fqn not in self._layouts:
            build = self.owner[fqn]
            empty_if_missing = asks_for_layouts(build.info, fqn) or not self.has_state_variables(fqn)
            self._layouts[fqn] = extract_layout(build.info, fqn, build.index, empty_if_missing)
        return self._layouts[fqn]

    def has_state_variables(self, fqn: str) -> bool:
        """Whether the contract or a base declares a variable that takes a storage slot."""
        for base in self.owner[fqn].index.linearized(self.node(fqn)):
            for child in base.get("nodes", ()):
                if child.get("nodeType") == "VariableDeclaration" and child.get("stateVariable") and not child.get("constant"):
                    if child.get("mutability") != "immutable":
                        return True
        return False

    def upgrades_from(self, fqn: str) -> str | None:
        return tag_value(self.node(fqn), "oz-upgrades-from")

    def require_layouts(self) -> None:
        """Fail early, with the fix, when no build asked for storage layouts at all."""
        for build in self.builds:
            if _selection_asks(build.info):
                return
            for contracts in build.info.get("output", {}).get("contracts", {}).values():
                if any("storageLayout" in c for c in contracts.values()):
                    return
        raise InputError(f"the build-info has no storageLayout output; {STORAGE_LAYOUT_HINT}")


LARGE = 8_000_000  # bytes: from here msgspec's parser (twice json's speed) pays for its ~30 ms import


def _read_json(path: Path) -> Any:
    """A build-info through the input boundary (issue 15): a regular file within the size
    limit, its structure scanned at C speed (nesting depth, uint256-sized numbers, lone
    surrogates) before the parse; then json, or msgspec for large files."""
    from upgrader.inputs import read_regular
    from upgrader.inputs.files import KINDS
    from upgrader.inputs.strict_json import check_structure

    data = read_regular(path, "build-info")
    check_structure(data, f"build-info {path}", KINDS["build-info"].max_depth)
    try:
        if len(data) >= LARGE:
            import msgspec

            try:
                return msgspec.json.decode(data)
            except msgspec.DecodeError as exc:
                raise InputError(f"cannot read build-info {path}: {exc}") from None
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InputError(f"cannot read build-info {path}: {exc}; rebuild it") from None


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
