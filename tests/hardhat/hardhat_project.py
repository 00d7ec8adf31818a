"""The Hardhat 2 project of this folder (tests/hardhat/project: OpenZeppelin 5 UUPS contracts,
hardhat-upgrades), copied to a temp folder and built with the real `npx hardhat compile`
(solc-js from node_modules through the config's TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD). Shared by
the tests of this folder (a uniquely named module: several test folders have a conftest)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = Path(__file__).resolve().parent / "project"
BIN = ROOT / "node_modules" / ".bin"
_VERDICT = re.compile(r"^ (✔|✘)  (\S+)", re.MULTILINE)


def copy_project(dest: Path) -> Path:
    shutil.copytree(PROJECT, dest, ignore=shutil.ignore_patterns("artifacts", "cache", ".openzeppelin", "deployments", "node_modules"))
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    return dest


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}", "HARDHAT_DISABLE_TELEMETRY_PROMPT": "true",
            "FORCE_COLOR": "0", "NO_COLOR": "1", **extra}


def hardhat(root: Path, *args: str, **extra: str) -> str:
    """``npx hardhat <args>`` in ``root``; its stdout."""
    proc = subprocess.run([str(BIN / "hardhat"), *args], cwd=root, env=env(**extra), capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def openzeppelin(folder: Path) -> tuple[int, dict[str, bool], str]:
    """``npx @openzeppelin/upgrades-core validate``: exit code, per-contract verdicts, all output."""
    proc = subprocess.run([str(BIN / "openzeppelin-upgrades-core"), "validate", str(folder)], capture_output=True, text=True,
                          env=env(), timeout=300)
    return proc.returncode, {m[2]: m[1] == "✔" for m in _VERDICT.finditer(proc.stdout)}, proc.stdout + proc.stderr


def upgrader(root: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """``upgrader <args>`` as a whole process in ``root``."""
    return subprocess.run([str(ROOT / ".venv" / "bin" / "upgrader"), *args], cwd=root, capture_output=True, text=True,
                          env=env(UPGRADER_PROJECT=str(root), **extra), timeout=300)


def build_info(root: Path) -> dict:
    (path,) = (root / "artifacts" / "build-info").glob("*.json")
    return json.loads(path.read_text())
