"""Project kinds: how a project says what to compile and how.

Each kind is a module with ``NAME``, ``claims(root)`` (its project file is in ``root``) and
``load(root, fallback)`` returning a :class:`Project`. The rest of upgrader sees only the
build (``project.project_build_info``) and its own settings (``upgrader.config``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from upgrader.build.project import CompilerSettings, find_root
from upgrader.errors import InputError


@dataclass(frozen=True)
class Project:
    root: Path
    kind: str  # "ape" | "foundry" | "hardhat"
    settings: CompilerSettings
    entry_points: tuple[str, ...]  # source unit names of the project's own contracts
    sources: dict[str, str]  # unit name -> text: the entry points and all they import
    search_paths: tuple[Path, ...] = ()  # where units not under the root were read from


def kinds() -> tuple[ModuleType, ...]:
    """The table of kinds, in precedence order for a folder holding several project files."""
    from upgrader.build.projects import ape, foundry, hardhat

    return (ape, foundry, hardhat)


def kind_of(root: Path) -> ModuleType:
    for kind in kinds():
        if kind.claims(root):
            return kind
    raise InputError(f"{root} has no ape-config.yaml, foundry.toml or hardhat.config.*; upgrader does not know how to compile it")


def load_project(root: Path | None = None, fallback: Path | None = None) -> Project:
    """The project at ``root`` (default: found upwards from UPGRADER_PROJECT or the cwd)."""
    root = root or find_root()
    project: Project = kind_of(root).load(root, fallback)
    return project


def with_fallback(paths: list[Path], root: Path, fallback: Path | None) -> tuple[Path, ...]:
    """``paths`` (under ``root``), each followed by the same folder under ``fallback``."""
    out: list[Path] = []
    for path in paths:
        out.append(path)
        if fallback is not None:
            try:
                out.append(fallback / path.relative_to(root))
            except ValueError:
                pass
    return tuple(out)


def sol_files(root: Path, folder: str) -> list[str]:
    """Every ``.sol`` file under ``root/folder`` as a source unit name (relative, ``/``)."""
    base = root / folder
    return sorted(p.relative_to(root).as_posix() for p in base.rglob("*.sol")) if base.is_dir() else []
