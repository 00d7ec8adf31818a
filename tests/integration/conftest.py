"""Integration fixtures: a fixture project (the real contracts plus the V2 fixtures derived
from RentVaultV2 in ``fixture_sources.py``) compiled once into one build-info, library contexts on the
session Anvil, and a CLI environment that points the `local` network at that Anvil.

The fixture project is a temp folder holding copies of ``contracts/`` and the derived fixtures
(as ``contracts/fixtures/``), ``ape-config.yaml`` and a symlink to ``node_modules``; its
``.build`` is a symlink into this repo's ``.build/integration`` so the compile is cached
across sessions. The CLI runs against it through ``UPGRADER_PROJECT``."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from fixture_sources import derived_fixtures
from integration_helpers import network_context

ROOT = Path(__file__).resolve().parents[2]


# -- the fixture project ---------------------------------------------------------------------

@pytest.fixture(scope="session")
def fixture_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "contracts", root / "contracts")
    (root / "contracts" / "fixtures").mkdir()
    for name, text in derived_fixtures().items():
        (root / "contracts" / "fixtures" / name).write_text(text)
    for source in (Path(__file__).resolve().parent / "contracts").glob("*.sol"):  # hand-written fixtures
        shutil.copy(source, root / "contracts" / "fixtures" / source.name)
    shutil.copy(ROOT / "ape-config.yaml", root / "ape-config.yaml")
    (root / "node_modules").symlink_to(ROOT / "node_modules")
    cache = ROOT / ".build" / "integration"
    cache.mkdir(parents=True, exist_ok=True)
    (root / ".build").symlink_to(cache)
    return root


@pytest.fixture(scope="session")
def fixture_build(fixture_root: Path) -> dict:
    """One build-info holding the project's contracts and the fixtures."""
    from upgrader.build.project import project_build_info

    return project_build_info(fixture_root)


def set_targets(root: Path, targets: dict[str, str]) -> None:
    """Rewrite the fixture project's ape-config.yaml so these modules upgrade to these contracts."""
    config = yaml.safe_load((ROOT / "ape-config.yaml").read_text())
    for name, target in targets.items():
        config["upgrader"]["modules"][name]["target"] = target
    (root / "ape-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


@pytest.fixture
def fixture_config(fixture_root: Path) -> Iterator[Any]:
    """Call with {module: target}; the original ape-config.yaml is restored afterwards."""
    yield lambda targets: set_targets(fixture_root, targets)
    shutil.copy(ROOT / "ape-config.yaml", fixture_root / "ape-config.yaml")


# -- library contexts ------------------------------------------------------------------------

@pytest.fixture
def deployments(system: Any, tmp_path: Path) -> Path:
    """A private copy of the session's deployments folder (manifest of network "test")."""
    folder = tmp_path / "deployments"
    shutil.copytree(system.config.deployments, folder, ignore=shutil.ignore_patterns("plans", "proposals"))
    return folder


@pytest.fixture
def make_ctx(chain: Any, deployments: Path) -> Any:
    """make_ctx(targets=None, build_info=None) -> a NetworkContext on the session chain."""
    def make(targets: dict[str, str] | None = None, build_info: dict | None = None, folder: Path | None = None) -> NetworkContext:
        return network_context(chain.config, chain.w3, build_info or chain.build_info, folder or deployments, targets)

    return make


# -- forks: observe that every Anvil a command starts is stopped ------------------------------

@dataclass
class ForkSpy:
    started: list[Any]

    def all_stopped(self) -> bool:
        """Every fork started so far has exited and its port no longer answers."""
        from upgrader.chain.anvil import is_up

        return all(p.proc.poll() is not None and not is_up(p.url, timeout=0.2) for p in self.started)


@pytest.fixture
def fork_spy(monkeypatch: pytest.MonkeyPatch) -> ForkSpy:
    from upgrader.chain import anvil

    spy = ForkSpy(started=[])
    real_start = anvil.start

    def start(*args: Any, **kwargs: Any) -> Any:
        node = real_start(*args, **kwargs)
        spy.started.append(node)
        return node

    monkeypatch.setattr(anvil, "start", start)
    return spy


# -- the CLI ---------------------------------------------------------------------------------

@dataclass
class Cli:
    env: dict[str, str]
    deployments: Path
    root: Path

    @property
    def manifest_path(self) -> Path:
        return self.deployments / "local" / "manifest.json"

    @property
    def plans(self) -> Path:
        return self.deployments / "local" / "plans"

    def run(self, *args: str, env: dict[str, str] | None = None) -> Any:
        from typer.testing import CliRunner

        from upgrader.cli.main import app

        return CliRunner().invoke(app, list(args), env={**self.env, **(env or {})}, catch_exceptions=True)

    def files(self) -> dict[str, bytes]:
        """Every file under the deployments folder, for "nothing written" checks."""
        return {str(p.relative_to(self.deployments)): p.read_bytes() for p in sorted(self.deployments.rglob("*")) if p.is_file()}


@pytest.fixture
def cli(chain: Any, anvil: Any, fixture_root: Path, fixture_build: dict, tmp_path: Path) -> Cli:
    """The CLI on network `local`, pointed at the session Anvil and a private manifest copy."""
    folder = tmp_path / "cli-deployments"
    (folder / "local").mkdir(parents=True)
    data = json.loads((chain.config.deployments / chain.network / "manifest.json").read_text())
    data["network"] = "local"
    (folder / "local" / "manifest.json").write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    env = {
        "UPGRADER_PROJECT": str(fixture_root),
        "UPGRADER_DEPLOYMENTS": str(folder),
        "UPGRADER_RPC_LOCAL": anvil.url,
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }
    return Cli(env=env, deployments=folder, root=fixture_root)
