"""A Hardhat project: compile settings from its own last build (``artifacts/build-info``).

hardhat.config.* is a program; rather than run it, upgrader takes the ``input.settings`` and
``solcVersion`` Hardhat itself used (the newest build-info that holds the project's own
sources) and compiles the sources as they are now with them. Sources are those of the
``contracts`` folder (or the folder the build-info's project sources are in); npm imports
are read from ``node_modules`` under their import path, as Hardhat names them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from upgrader.build.project import CompilerSettings, collect_sources
from upgrader.build.projects import Project, sol_files, with_fallback
from upgrader.errors import InputError

NAME = "hardhat"
CONFIGS = ("hardhat.config.js", "hardhat.config.ts", "hardhat.config.cjs")


def claims(root: Path) -> bool:
    return any((root / name).is_file() for name in CONFIGS)


def last_build(root: Path) -> tuple[dict[str, Any], str]:
    """(the newest build-info's input and solc version, the folder of the project's sources)."""
    folder = root / "artifacts" / "build-info"
    infos = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True) if folder.is_dir() else []
    for path in infos:
        try:
            info = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read {path}: {exc}; run `npx hardhat compile` again") from None
        own = [name for name in (info.get("input") or {}).get("sources", {}) if (root / name).is_file() and not name.startswith("node_modules/")]
        if own and "solcVersion" in info:
            return info, own[0].split("/")[0]
    raise InputError(f"no build-info with the project's sources in {folder}; run `npx hardhat compile` first (upgrader compiles with the settings Hardhat used)")


def settings_from(info: dict[str, Any]) -> CompilerSettings:
    given = info["input"].get("settings") or {}
    optimizer = given.get("optimizer") or {}
    return CompilerSettings(
        version=str(info["solcVersion"]),
        optimize=bool(optimizer.get("enabled", False)),
        runs=int(optimizer.get("runs", 200)),
        evm_version=given.get("evmVersion"),
        via_ir=given.get("viaIR"),
        remappings=tuple(given.get("remappings") or ()),
        metadata=given.get("metadata"),
        optimizer_details=optimizer.get("details"),
        libraries=given.get("libraries"),
    )


def load(root: Path, fallback: Path | None = None) -> Project:
    info, folder = last_build(root)
    entries = sol_files(root, folder)
    if not entries:
        raise InputError(f"no .sol files under {root / folder}")
    settings = settings_from(info)
    search = with_fallback([root / "node_modules"], root, fallback)
    sources = collect_sources(root, entries, list(search), settings.remappings)
    return Project(root, NAME, settings, tuple(entries), sources, search)
