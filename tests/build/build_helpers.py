"""Helpers for the build tests: a Foundry project built by real forge (npm @foundry-rs/forge, offline).

forge finds a solc of a version at ``$HOME/.svm/<v>/solc-<v>``; the tests give forge a
home whose entries are upgrader's own solc executables (installed on demand), so forge and
upgrader run the same compiler and the project's foundry.toml names plain versions."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from upgrader.build import solc

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "foundry_project"
FORGE = ROOT / "node_modules" / ".bin" / "forge"
LIBS = {"openzeppelin-contracts": "@openzeppelin/contracts", "openzeppelin-contracts-upgradeable": "@openzeppelin/contracts-upgradeable"}


def forge_home(base: Path, *versions: str) -> Path:
    home = base / "forge-home"
    for version in versions:
        folder = home / ".svm" / version
        folder.mkdir(parents=True, exist_ok=True)
        link = folder / f"solc-{version}"
        if not link.exists():
            link.symlink_to(solc.solc_path(version))
    return home


def forge(project: Path, *args: str, home: Path, profile: str = "default") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(home), "FOUNDRY_PROFILE": profile}
    return subprocess.run([str(FORGE), *args], cwd=project, env=env, capture_output=True, text=True, timeout=600)


def copy_fixture(dest: Path) -> Path:
    """The fixture project with OpenZeppelin from node_modules linked under lib/."""
    shutil.copytree(FIXTURE, dest)
    for name, package in LIBS.items():
        (dest / "lib" / name).symlink_to(ROOT / "node_modules" / package)
    return dest
