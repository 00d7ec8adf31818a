"""The adoption flow as a team runs it: every command a process of its own in the project
folder (no UPGRADER_PROJECT), each step's exit code and time kept. Also what
`tests/adopt/foundry_repo` needs: the repository laid out with git submodules under lib/
(``.gitmodules`` naming GitHub, as a cloned Foundry repository has it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
UPGRADER = ROOT / ".venv" / "bin" / "upgrader"
FORGE = ROOT / "node_modules" / ".bin" / "forge"
ANVIL_KEY0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"  # Anvil's dev account 0
SUBMODULES = {  # lib/<name>: (the npm package of the same release, the repository .gitmodules names)
    "openzeppelin-contracts": ("contracts-v4", "https://github.com/OpenZeppelin/openzeppelin-contracts"),
    "openzeppelin-contracts-upgradeable": ("contracts-upgradeable-v4", "https://github.com/OpenZeppelin/openzeppelin-contracts-upgradeable"),
}


@dataclass
class Step:
    name: str
    args: list[str]
    exit_code: int
    seconds: float
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@dataclass
class Flow:
    root: Path
    env: dict[str, str]
    steps: list[Step] = field(default_factory=list)

    def run(self, name: str, *args: str, program: Path = UPGRADER, timeout: float = 600, env: dict[str, str] | None = None) -> Step:
        t = time.monotonic()
        proc = subprocess.run([str(program), *args], cwd=self.root, env={**self.env, **(env or {})}, capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        step = Step(name, list(args), proc.returncode, time.monotonic() - t, proc.stdout, proc.stderr)
        self.steps.append(step)
        return step

    def ok(self, name: str, *args: str, **kw: Any) -> Step:
        step = self.run(name, *args, **kw)
        assert step.exit_code == 0, f"{name}: exit {step.exit_code}\n{_failed_parts(step.stdout)}{step.stdout[-3000:]}\n{step.stderr[-3000:]}"
        return step

    def table(self) -> str:
        return "\n".join(f"{s.name:<24} exit {s.exit_code}  {s.seconds:6.1f} s" for s in self.steps)


def team_env(home: Path) -> dict[str, str]:
    """A shell as the README sets it up: upgrader's venv and Foundry's tools on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UPGRADER_", "APE_"))}
    env.update({"PATH": f"{ROOT / '.venv' / 'bin'}:{ROOT / 'node_modules' / '.bin'}:{os.environ.get('PATH', '')}",
                "NO_COLOR": "1", "COLUMNS": "200", "FOUNDRY_OFFLINE": "true", "APE_DATA_FOLDER": str(home / "ape")})
    return env


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=team", "-c", "user.email=team@example.org", "-c", "protocol.file.allow=always",
                    *args], cwd=cwd, check=True, capture_output=True, timeout=120)


def make_repository(template: Path, dest: Path, work: Path, submodules: dict[str, tuple[str, str]] = SUBMODULES) -> Path:
    """``template`` as a git repository whose lib/ holds OpenZeppelin (4.9 unless ``submodules``
    says otherwise) as git submodules (each a repository of its own with the release's sources
    under contracts/, as OpenZeppelin's are), the submodule URLs in .gitmodules pointing at GitHub
    as in a clone."""
    shutil.copytree(template, dest, ignore=shutil.ignore_patterns("v2"))
    git(dest, "init", "-q")
    for name, (package, url) in submodules.items():
        source = work / "upstream" / name
        shutil.copytree(ROOT / "node_modules" / "@openzeppelin" / package, source / "contracts",
                        ignore=shutil.ignore_patterns("build", "*.json", "*.md"))
        git(source, "init", "-q")
        git(source, "add", "-A")
        git(source, "commit", "-q", "-m", package)
        git(dest, "submodule", "add", "-q", str(source), f"lib/{name}")
        git(dest, "config", "-f", ".gitmodules", f"submodule.lib/{name}.url", url)
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "the team's repository")
    return dest


def _failed_parts(stdout: str) -> str:
    """The entries of a --json answer that say ``"ok": false`` (the tail alone may not show them)."""
    try:
        answer = json.loads(stdout)
    except ValueError:
        return ""
    found: list[Any] = []

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            if x.get("ok") is False and x is not answer:
                found.append(x)
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(answer)
    return "".join(f"not ok: {json.dumps(x)[:600]}\n" for x in found)
