"""Compile this project's contracts into a Hardhat-style build-info (cached by content).

Settings (solc version, optimizer, evmVersion) come from the ``solidity:`` section of
``ape-config.yaml`` so that what upgrader checks and deploys is compiled exactly as
``ape compile`` would compile it; the output selection adds ``storageLayout`` and the AST,
which ape-solidity does not request.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
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


@dataclass(frozen=True)
class CompilerSettings:
    version: str
    optimize: bool = True
    runs: int = 200
    evm_version: str | None = None
    via_ir: bool | None = None

    def as_standard_json(self) -> dict[str, Any]:
        settings: dict[str, Any] = {
            "optimizer": {"enabled": self.optimize, "runs": self.runs},
            "outputSelection": OUTPUT_SELECTION,
        }
        if self.evm_version:
            settings["evmVersion"] = self.evm_version
        if self.via_ir is not None:
            settings["viaIR"] = self.via_ir
        return settings


def find_root(start: Path | None = None) -> Path:
    """The project root: the nearest folder upwards holding ape-config.yaml."""
    here = (start or Path(os.environ.get("UPGRADER_PROJECT", "."))).resolve()
    for folder in (here, *here.parents):
        if (folder / "ape-config.yaml").is_file():
            return folder
    raise InputError(f"no ape-config.yaml in {here} or above; run upgrader inside the project")


def load_config(root: Path) -> dict[str, Any]:
    import yaml

    try:
        return yaml.safe_load((root / "ape-config.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read {root / 'ape-config.yaml'}: {exc}") from exc


def compiler_settings(config: dict[str, Any]) -> CompilerSettings:
    sol = config.get("solidity") or {}
    if "version" not in sol:
        raise InputError("ape-config.yaml: set solidity.version (one pinned solc for the project)")
    return CompilerSettings(
        version=str(sol["version"]),
        optimize=bool(sol.get("optimize", True)),
        runs=int(sol.get("optimization_runs", 200)),
        evm_version=sol.get("evm_version"),
        via_ir=sol.get("via_ir"),
    )


def collect_sources(root: Path, entry_points: list[str], search_paths: list[Path]) -> dict[str, str]:
    """Read the entry source units and, transitively, everything they import.

    Source unit names follow Hardhat: project files by their path from the root, npm
    packages by their import path (resolved under ``node_modules``)."""
    sources: dict[str, str] = {}
    todo = list(entry_points)
    while todo:
        unit = todo.pop()
        if unit in sources:
            continue
        text = _read_unit(unit, root, search_paths)
        sources[unit] = text
        for imported in _IMPORT.findall(text):
            if imported.startswith("."):
                imported = os.path.normpath(os.path.join(os.path.dirname(unit), imported)).replace(os.sep, "/")
            todo.append(imported)
    return dict(sorted(sources.items()))


def _read_unit(unit: str, root: Path, search_paths: list[Path]) -> str:
    for base in (root, *search_paths):
        path = base / unit
        if path.is_file():
            return path.read_text()
    raise InputError(f"cannot find source {unit!r} (looked in {root} and node_modules); run `make install`")


def standard_input(sources: dict[str, str], settings: CompilerSettings) -> dict[str, Any]:
    return {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sources.items()},
        "settings": settings.as_standard_json(),
    }


def compile_to_build_info(
    sources: dict[str, str], settings: CompilerSettings, cache_dir: Path | None = None
) -> dict[str, Any]:
    """Compile sources to a build-info dict; reuse ``cache_dir/<id>.json`` when present."""
    std_input = standard_input(sources, settings)
    build_id = hashlib.sha256(json.dumps([settings.version, std_input], sort_keys=True).encode()).hexdigest()[:32]
    cached = cache_dir / f"{build_id}.json" if cache_dir else None
    if cached and cached.is_file():
        try:
            return json.loads(cached.read_text())
        except json.JSONDecodeError:
            cached.unlink()  # a torn cache entry is just recompiled
    output = solc.compile_standard(settings.version, std_input)
    info = {
        "_format": BUILD_INFO_FORMAT,
        "id": build_id,
        "solcVersion": settings.version,
        "solcLongVersion": solc.long_version(settings.version),
        "input": std_input,
        "output": output,
    }
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(info))
        os.replace(tmp, cached)
    return info


def project_build_info(root: Path | None = None) -> dict[str, Any]:
    """The build-info of every contract under the project's ``contracts/`` folder."""
    root = root or find_root()
    config = load_config(root)
    contracts_dir = root / config.get("contracts_folder", "contracts")
    entries = sorted(str(p.relative_to(root)).replace(os.sep, "/") for p in contracts_dir.rglob("*.sol"))
    if not entries:
        raise InputError(f"no .sol files under {contracts_dir}")
    sources = collect_sources(root, entries, [root / "node_modules"])
    return compile_to_build_info(sources, compiler_settings(config), root / ".build" / "upgrader" / "build-info")
