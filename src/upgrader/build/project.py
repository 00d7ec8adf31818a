"""Compile a project's contracts into a Hardhat-style build-info (cached by content).

What to compile and how (solc version, optimizer, evmVersion, remappings, sources) comes from
the project's own files through its kind (``build/projects/``: ape, Foundry, Hardhat), so
that what upgrader checks and deploys is compiled as the team's own tool compiles it; the
output selection adds ``storageLayout`` and the AST, which those tools may not request.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from upgrader.build import solc
from upgrader.errors import InputError

OUTPUT_SELECTION = {
    "*": {
        "*": ["abi", "evm.bytecode.object", "evm.bytecode.linkReferences", "evm.deployedBytecode.object", "evm.deployedBytecode.immutableReferences", "metadata", "storageLayout", "devdoc", "userdoc"],
        "": ["ast"],
    }
}
_IMPORT = re.compile(r"""^\s*import\s+[^;"']*?["']([^"']+)["'][^;]*;""", re.MULTILINE)
BUILD_INFO_FORMAT = "hh-sol-build-info-1"
# A project root holds one of these; the nearest folder upwards with any of them wins.
ROOT_MARKERS = ("ape-config.yaml", "foundry.toml", "hardhat.config.js", "hardhat.config.ts", "hardhat.config.cjs", "upgrader.toml")


@dataclass(frozen=True)
class CompilerSettings:
    """Everything of solc's standard-JSON ``settings`` that changes the code, as the project sets it."""

    version: str
    optimize: bool = True
    runs: int = 200
    evm_version: str | None = None
    via_ir: bool | None = None
    remappings: tuple[str, ...] = ()
    metadata: Mapping[str, Any] | None = None  # bytecodeHash, appendCBOR, useLiteralContent
    optimizer_details: Mapping[str, Any] | None = None
    libraries: Mapping[str, Any] | None = None
    compiler: str | None = field(default=None, compare=False)  # an explicit solc path (foundry `solc = "/path"`)

    def as_standard_json(self) -> dict[str, Any]:
        optimizer: dict[str, Any] = {"enabled": self.optimize, "runs": self.runs}
        if self.optimizer_details is not None:
            optimizer["details"] = dict(self.optimizer_details)
        settings: dict[str, Any] = {"optimizer": optimizer, "outputSelection": OUTPUT_SELECTION}
        if self.remappings:
            settings["remappings"] = list(self.remappings)
        if self.metadata is not None:
            settings["metadata"] = _metadata_for(self.version, self.metadata)
        if self.evm_version:
            settings["evmVersion"] = self.evm_version
        if self.via_ir is not None:
            settings["viaIR"] = self.via_ir
        if self.libraries is not None:
            settings["libraries"] = dict(self.libraries)
        return settings


APPEND_CBOR_SINCE = (0, 8, 18)  # solc's `settings.metadata.appendCBOR` (earlier releases refuse the key)


def _metadata_for(version: str, metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The metadata settings this solc release accepts: as forge drops what an older solc does not
    know (foundry-compilers/ethers-solc ``Settings::sanitize``: ``cbor_metadata = None`` below
    0.8.18), a project's ``cbor_metadata`` is left out for solc < 0.8.18, which appends CBOR anyway."""
    from upgrader.build.versions import parse

    out = dict(metadata)
    if parse(version) < APPEND_CBOR_SINCE:
        out.pop("appendCBOR", None)
    return out


def find_root(start: Path | None = None) -> Path:
    """The project root: the nearest folder upwards holding a project file (ROOT_MARKERS)."""
    here = (start or Path(os.environ.get("UPGRADER_PROJECT", "."))).resolve()
    for folder in (here, *here.parents):
        if any((folder / marker).is_file() for marker in ROOT_MARKERS):
            return folder
    raise InputError(f"no ape-config.yaml, foundry.toml, hardhat.config.* or upgrader.toml in {here} or above; run upgrader inside the project")


def load_config(root: Path) -> dict[str, Any]:
    """ape-config.yaml as a mapping ({} when the project has none)."""
    import yaml

    path = root / "ape-config.yaml"
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping at the top level")
    return data


def remap(unit: str, remappings: tuple[str, ...] | list[str], importer: str = "") -> str:
    """Apply solc's import remapping rule: the longest matching prefix wins (a matching context
    first, the later entry on a tie). Entries are ``[context:]prefix=target``."""
    best: tuple[int, int, int, str, str] | None = None
    for index, entry in enumerate(remappings):
        head, _, target = entry.partition("=")
        context, _, prefix = head.rpartition(":")
        if not prefix or not unit.startswith(prefix) or (context and not importer.startswith(context)):
            continue
        rank = (len(context), len(prefix), index, prefix, target)
        if best is None or rank[:3] > best[:3]:
            best = rank
    return unit if best is None else best[4] + unit[len(best[3]):]


def collect_sources(root: Path, entry_points: list[str], search_paths: list[Path], remappings: tuple[str, ...] = ()) -> dict[str, str]:
    """Read the entry source units and, transitively, everything they import.

    Source unit names are what solc itself would name them: relative imports resolved against
    the importing unit, others through the remappings; a unit is read from the root, else the
    first search path (``node_modules``, a library folder) that holds it."""
    sources: dict[str, str] = {}
    todo = [(unit, "") for unit in entry_points]
    while todo:
        unit, importer = todo.pop()
        if unit in sources:
            continue
        sources[unit] = _read_unit(unit, root, search_paths, importer)
        for imported in _IMPORT.findall(sources[unit]):
            if imported.startswith("."):
                imported = os.path.normpath(os.path.join(os.path.dirname(unit), imported)).replace(os.sep, "/")
            else:
                imported = remap(imported, remappings, unit)
            todo.append((imported, unit))
    return dict(sorted(sources.items()))


def _read_unit(unit: str, root: Path, search_paths: list[Path], importer: str) -> str:
    for base in (root, *search_paths):
        path = base / unit
        if path.is_file():
            return path.read_text()
    by = f" (imported by {importer})" if importer else ""
    looked = ", ".join(str(p) for p in (root, *search_paths))
    raise InputError(f"cannot find source {unit!r}{by} in {looked}; install the project's dependencies or fix its remappings")


def standard_input(sources: dict[str, str], settings: CompilerSettings) -> dict[str, Any]:
    return {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sources.items()},
        "settings": settings.as_standard_json(),
    }


def compile_to_build_info(
    sources: dict[str, str], settings: CompilerSettings, cache_dir: Path | None = None
) -> dict[str, Any]:
    """Compile sources to a build-info dict; reuse ``cache_dir/<id>.json`` when present.

    The id covers the compiler's full version (with its commit) and the whole input."""
    std_input = standard_input(sources, settings)
    long_version = solc.long_version(settings.version, settings.compiler)
    build_id = hashlib.sha256(json.dumps([long_version, std_input], sort_keys=True).encode()).hexdigest()[:32]
    cached = cache_dir / f"{build_id}.json" if cache_dir else None
    if cached and cached.is_file():
        try:
            return json.loads(cached.read_text())
        except json.JSONDecodeError:
            cached.unlink()  # a torn cache entry is just recompiled
    output = solc.compile_standard(settings.version, std_input, compiler=settings.compiler)
    info = {
        "_format": BUILD_INFO_FORMAT,
        "id": build_id,
        "solcVersion": settings.version,
        "solcLongVersion": long_version,
        "input": std_input,
        "output": output,
    }
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(info))
        os.replace(tmp, cached)
    return info


def project_build_info(root: Path | None = None, fallback: Path | None = None) -> dict[str, Any]:
    """The build-info of the project's own contracts, compiled as its kind says.

    ``fallback``: a checkout whose dependency folders stand in for missing ones (a git
    worktree of an older revision has no ``node_modules`` or ``lib/``)."""
    from upgrader.build.projects import load_project

    root = root or find_root()
    project = load_project(root, fallback)
    return compile_to_build_info(project.sources, project.settings, (fallback or root) / ".build" / "upgrader" / "build-info")
