"""Fixtures of the `upgrader fuzz` tests: a project holding the real contracts and the
planted-bug V2s (``planted.py``), compiled once (cached in ``.build/fuzz_upgrade``), and one
Anvil of their own with the V1 system deployed under a 2-of-3 Safe and the demo's sample
activity (properties, rent deposits, a withdrawal) on it, recorded as network ``local``. The
CLI runs against it through ``UPGRADER_PROJECT``, ``UPGRADER_RPC_LOCAL`` and
``UPGRADER_DEPLOYMENTS``."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from planted import planted

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class FuzzFixture:
    root: Path
    url: str
    w3: Any
    deployments: Path
    build: dict
    manifest: Any

    def env(self) -> dict[str, str]:
        return {"UPGRADER_PROJECT": str(self.root), "UPGRADER_RPC_LOCAL": self.url,
                "UPGRADER_DEPLOYMENTS": str(self.deployments), "COLUMNS": "200", "NO_COLOR": "1"}

    def target(self, module: str, contract: str, **fuzz: Any) -> None:
        """Point ``module`` at ``contract`` in the project's settings (with its [fuzz] table)."""
        config = yaml.safe_load((ROOT / "ape-config.yaml").read_text())
        config["upgrader"]["modules"][module]["target"] = contract
        config["upgrader"].update(fuzz)
        (self.root / "ape-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))

    def run(self, *args: str) -> Any:
        from typer.testing import CliRunner

        from upgrader.cli.main import app

        return CliRunner().invoke(app, list(args), env=self.env(), catch_exceptions=True)

    def run_json(self, *args: str, code: int) -> dict:
        result = self.run(*args, "--json")
        assert result.exit_code == code, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}\n{result.exception!r}"
        return json.loads(result.stdout)


@pytest.fixture(scope="session")
def fuzz_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzFixture]:
    from upgrader import config as cfg
    from upgrader.build.project import project_build_info
    from upgrader.chain import anvil
    from upgrader.chain.rpc import connect
    from upgrader.deploy.seed import seed_demo_data
    from upgrader.deploy.system import deploy_local_system

    root = tmp_path_factory.mktemp("fuzz-project")
    shutil.copytree(ROOT / "contracts", root / "contracts")
    (root / "contracts" / "fixtures").mkdir()
    for name, text in planted().items():
        (root / "contracts" / "fixtures" / name).write_text(text)
    shutil.copy(ROOT / "ape-config.yaml", root / "ape-config.yaml")
    (root / "node_modules").symlink_to(ROOT / "node_modules")
    cache = ROOT / ".build" / "fuzz_upgrade"
    cache.mkdir(parents=True, exist_ok=True)
    (root / ".build").symlink_to(cache)
    build = project_build_info(root)
    deployments = tmp_path_factory.mktemp("fuzz-deployments")
    with anvil.running(["--silent"], root=ROOT) as node:
        w3 = connect(node.url)
        base = cfg.load(root)
        project = replace(base, networks={**base.networks, "local": cfg.NetworkConfig("local", node.url, 31337, None)},
                          deployments=deployments)
        manifest = deploy_local_system(w3, project, "local", build).manifest
        seed_demo_data(w3, manifest, build)
        yield FuzzFixture(root, node.url, w3, deployments, build, manifest)


@pytest.fixture
def fuzz_project(fuzz_fixture: FuzzFixture) -> Iterator[FuzzFixture]:
    """The fixture with the demo's settings restored afterwards, and its fuzz/ folder emptied."""
    yield fuzz_fixture
    shutil.copy(ROOT / "ape-config.yaml", fuzz_fixture.root / "ape-config.yaml")
    shutil.rmtree(fuzz_fixture.deployments / "local" / "fuzz", ignore_errors=True)
    shutil.rmtree(fuzz_fixture.root / ".hypothesis", ignore_errors=True)
