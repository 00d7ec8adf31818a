"""A set of build-infos (one dict, or a folder of Hardhat/Foundry build-info files) and the
contracts in them: lookup by name or ``<source>:<Name>``, upgradeability, cached layouts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from upgrader.errors import InputError
from upgrader.layout.astindex import AstIndex, Node, doc_tag
from upgrader.layout.extract import STORAGE_LAYOUT_HINT, extract_layout
from upgrader.layout.model import StorageLayout

UPGRADEABLE_BASES = {"Initializable", "UUPSUpgradeable"}
UUPS_FUNCTIONS = {"upgradeToAndCall", "proxiableUUID"}


@dataclass
class _Build:
    info: dict[str, Any]
    index: AstIndex


@dataclass
class BuildSet:
    builds: list[_Build] = field(default_factory=list)
    owner: dict[str, _Build] = field(default_factory=dict)  # fqn -> the build that compiled it
    _layouts: dict[str, StorageLayout] = field(default_factory=dict)

    @classmethod
    def of(cls, *build_infos: dict[str, Any]) -> BuildSet:
        builds = cls()
        for info in build_infos:
            builds.add(info)
        return builds

    @classmethod
    def load(cls, folder: Path) -> BuildSet:
        """Every ``*.json`` build-info under ``folder`` (later files win for the same contract)."""
        if not folder.is_dir():
            raise InputError(f"{folder} is not a folder; pass the build-info folder (Hardhat artifacts/build-info, Foundry out/build-info)")
        builds = cls()
        for path in sorted(folder.rglob("*.json")):
            try:
                info = json.loads(path.read_text())
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise InputError(f"cannot read build-info {path}: {exc}") from None
            if not isinstance(info, dict) or "output" not in info or "input" not in info:
                raise InputError(f"{path} is not a build-info (no input/output); point --build-info at the build-info folder")
            builds.add(info)
        if not builds.builds:
            raise InputError(f"no build-info files in {folder}; compile with build-info enabled first")
        return builds

    def add(self, info: dict[str, Any]) -> None:
        build = _Build(info, AstIndex.of(info))
        self.builds.append(build)
        for fqn in build.index.contracts:
            self.owner[fqn] = build

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

    def build_info(self, fqn: str) -> dict[str, Any]:
        return self.owner[fqn].info

    def layout(self, fqn: str) -> StorageLayout:
        if fqn not in self._layouts:
            build = self.owner[fqn]
            self._layouts[fqn] = extract_layout(build.info, fqn, build.index)
        return self._layouts[fqn]

    def upgrades_from(self, fqn: str) -> str | None:
        return doc_tag(self.node(fqn), "oz-upgrades-from")

    def upgradeable(self) -> Iterator[str]:
        """Concrete contracts that are annotated, inherit Initializable, or look like UUPS."""
        for fqn in sorted(self.owner):
            node = self.node(fqn)
            if node.get("contractKind") != "contract" or node.get("abstract"):
                continue
            if self.upgrades_from(fqn) is not None or self._inherits_upgradeable(fqn):
                yield fqn

    def _inherits_upgradeable(self, fqn: str) -> bool:
        index = self.owner[fqn].index
        for base in index.bases(self.node(fqn)):
            if base.get("name") in UPGRADEABLE_BASES:
                return True
            for child in base.get("nodes", ()):
                if child.get("nodeType") == "FunctionDefinition" and child.get("name") in UUPS_FUNCTIONS:
                    return True
        return False

    def require_layouts(self) -> None:
        """Fail early, with the fix, when the build has no storage layouts at all."""
        for build in self.builds:
            for contracts in build.info.get("output", {}).get("contracts", {}).values():
                if any("storageLayout" in c for c in contracts.values()):
                    return
        raise InputError(f"the build-info has no storageLayout output; {STORAGE_LAYOUT_HINT}")
