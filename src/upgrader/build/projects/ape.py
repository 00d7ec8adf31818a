"""An ape project: ``ape-config.yaml`` (its ``solidity:`` section and ``contracts_folder``).

Imports of npm packages are read from ``node_modules`` under their import path, as the
project's ``dependencies`` name them; ape's own ``.cache`` remappings are not needed for that.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from upgrader.build import versions
from upgrader.build.project import CompilerSettings, collect_sources, load_config
from upgrader.build.projects import Project, sol_files, with_fallback
from upgrader.errors import InputError

NAME = "ape"


def claims(root: Path) -> bool:
    return (root / "ape-config.yaml").is_file()


def settings_from(config: dict[str, Any], version: str | None = None) -> CompilerSettings:
    sol = config.get("solidity") or {}
    version = str(sol["version"]) if "version" in sol else version
    if version is None:
        raise InputError("ape-config.yaml: set solidity.version (one pinned solc for the project)")
    return CompilerSettings(
        version=version,
        optimize=bool(sol.get("optimize", True)),
        runs=int(sol.get("optimization_runs", 200)),
        evm_version=sol.get("evm_version"),
        via_ir=sol.get("via_ir"),
    )


def load(root: Path, fallback: Path | None = None) -> Project:
    config = load_config(root)
    folder = str(config.get("contracts_folder", "contracts"))
    entries = sol_files(root, folder)
    if not entries:
        raise InputError(f"no .sol files under {root / folder}")
    search = with_fallback([root / "node_modules"], root, fallback)
    sources = collect_sources(root, entries, list(search))
    pinned = (config.get("solidity") or {}).get("version")
    settings = settings_from(config, None if pinned else versions.from_pragmas(sources))
    return Project(root, NAME, settings, tuple(entries), sources, search)
