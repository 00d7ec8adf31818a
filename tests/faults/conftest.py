"""Fault fixtures: the CLI on network `local` pointed at the session Anvil and a private
deployments folder, in-process (``cli.run``) or as real processes (``cli.spawn``, for races
and for orphan checks: every spawned process carries a tag in its environment, so a process
it leaves behind, an Anvil fork included, is found by PID however it was reparented)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
TAG_VAR = "UPGRADER_FAULT_TAG"


def tagged_pids(tag: str) -> list[int]:
    """Live processes whose environment carries ``tag`` (ours: same user, /proc readable)."""
    needle = f"{TAG_VAR}={tag}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


@dataclass
class Cli:
    env: dict[str, str]
    deployments: Path
    tag: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def folder(self) -> Path:
        return self.deployments / "local"

    @property
    def manifest_path(self) -> Path:
        return self.folder / "manifest.json"

    @property
    def plans(self) -> Path:
        return self.folder / "plans"

    def run(self, *args: str, env: dict[str, str] | None = None) -> Any:
        """In process, through typer's runner (stdout and stderr apart)."""
        from typer.testing import CliRunner

        from upgrader.cli.main import app

        return CliRunner().invoke(app, list(args), env={**self.env, **(env or {})}, catch_exceptions=True)

    def spawn(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        """A real `upgrader` process (``python -m upgrader.cli``), tagged for orphan checks."""
        full = {**os.environ, **self.env, **(env or {}), TAG_VAR: self.tag}
        return subprocess.Popen([sys.executable, "-m", "upgrader.cli", *args], env=full, cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def files(self) -> dict[str, bytes]:
        """Every file under the deployments folder, for "nothing written" checks."""
        return {str(p.relative_to(self.deployments)): p.read_bytes()
                for p in sorted(self.deployments.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}

    def edit_manifest(self, change: Any) -> None:
        data = json.loads(self.manifest_path.read_text())
        change(data)
        self.manifest_path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")

    def leftovers(self) -> list[int]:
        return tagged_pids(self.tag)


@pytest.fixture
def cli(chain: Any, anvil: Any, tmp_path: Path) -> Iterator[Cli]:
    """The CLI on network `local` (the real project and build), on the session Anvil with a
    private copy of the manifest; asserts afterwards that no spawned process is left."""
    folder = tmp_path / "deployments"
    (folder / "local").mkdir(parents=True)
    data = json.loads((chain.config.deployments / chain.network / "manifest.json").read_text())
    data["network"] = "local"
    (folder / "local" / "manifest.json").write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    env = {"UPGRADER_PROJECT": str(ROOT), "UPGRADER_DEPLOYMENTS": str(folder), "UPGRADER_RPC_LOCAL": anvil.url,
           "COLUMNS": "200", "NO_COLOR": "1"}
    made = Cli(env=env, deployments=folder)
    yield made
    assert made.leftovers() == [], "a process started by this test is still running"


@pytest.fixture
def service(chain: Any, anvil: Any, cli: Cli, tmp_path: Path) -> Iterator[Any]:
    """The local Safe Transaction Service on a free port; the CLI points at it."""
    from upgrader.safe_service.local.server import LocalServiceServer, LocalTransactionService

    svc = LocalTransactionService(anvil.url, tmp_path / "service-state.json", (chain.manifest.safe.multisend_call_only,))
    with LocalServiceServer(svc) as server:
        cli.env["UPGRADER_TX_SERVICE"] = server.url
        yield server
