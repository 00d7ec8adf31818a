"""Shared fixtures: one Anvil per test session with the V1 system deployed under a 2-of-3
Safe, and EVM snapshots so each test starts from that state cheaply."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("UPGRADER_PROJECT", str(ROOT))

# No timing in tests: a busy 2-core CI machine must not fail a property because one example
# was slow. Every hypothesis test runs under this profile unless it sets its own `settings`
# (which inherit from it); timing targets live in benchmarks/.
settings.register_profile("upgrader", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("upgrader")


@dataclass
class System:
    """The deployed V1 system as tests see it."""

    w3: Any
    manifest: Any
    build_info: dict
    config: Any
    network: str

    @property
    def safe(self) -> str:
        return self.manifest.safe.address

    @property
    def owners(self) -> list[str]:
        return list(self.manifest.safe.owners)

    @property
    def deployer(self) -> str:
        return self.manifest.extras["deployer"]

    def address(self, name: str) -> str:
        return self.manifest.extras[name] if name in self.manifest.extras else self.manifest.proxy(name).address

    def contract(self, name: str, as_contract: str | None = None) -> Any:
        """A web3 contract for proxy ``name`` with the ABI of ``as_contract`` (default: the V1)."""
        from upgrader.build import artifacts

        art = artifacts.find(self.build_info, as_contract or name)
        return self.w3.eth.contract(address=self.address(name), abi=art.abi)

    def transact(self, fn: Any, sender: str) -> Any:
        from upgrader.chain.rpc import send

        return send(self.w3, fn.build_transaction({"from": sender}))


@pytest.fixture(scope="session")
def build_info() -> dict:
    from upgrader.build.project import project_build_info

    return project_build_info(ROOT)


@pytest.fixture(scope="session")
def anvil() -> Iterator[Any]:
    from upgrader.chain import anvil as anvil_mod

    with anvil_mod.running(["--silent"], root=ROOT) as node:
        yield node


@pytest.fixture(scope="session")
def w3(anvil: Any) -> Any:
    from upgrader.chain.rpc import connect

    return connect(anvil.url)


@pytest.fixture(scope="session")
def project(anvil: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from upgrader import config as cfg

    base = cfg.load(ROOT)
    net = cfg.NetworkConfig("test", anvil.url, 31337, None)
    return replace(base, networks={**base.networks, "test": net}, deployments=tmp_path_factory.mktemp("deployments"))


@pytest.fixture(scope="session")
def system(w3: Any, project: Any, build_info: dict) -> System:
    from upgrader.deploy.system import deploy_local_system

    result = deploy_local_system(w3, project, "test", build_info)
    return System(w3=w3, manifest=result.manifest, build_info=build_info, config=project, network="test")


@pytest.fixture
def chain(system: System) -> Iterator[System]:
    """The deployed system, reverted to its post-deploy state after the test."""
    snap = system.w3.provider.make_request("evm_snapshot", [])["result"]
    try:
        yield system
    finally:
        system.w3.provider.make_request("evm_revert", [snap])
