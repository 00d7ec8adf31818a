"""Fixtures of the governance tests; the deployment itself is in gov_fixture.py.

One Anvil per session holds every variant side by side (each with its own Safe); each test gets
a private copy of the project (its own deployments/) and the chain reverted afterwards."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gov_fixture import ROOT, VARIANTS, System, copy_project, deploy


@dataclass
class World:
    root: Path  # the compiled project (build cache included)
    url: str
    w3: Any
    build_info: dict
    systems: dict[str, System]


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    from upgrader.build.project import project_build_info
    from upgrader.chain import anvil as anvil_mod
    from upgrader.chain.rpc import connect

    root = copy_project(tmp_path_factory.mktemp("governance") / "project")
    info = project_build_info(root)
    with anvil_mod.running(["--silent"], root=ROOT) as node:
        w3 = connect(node.url)
        systems = {v: deploy(w3, info, v, salt_nonce=i + 1) for i, v in enumerate(VARIANTS)}
        yield World(root, node.url, w3, info, systems)


@dataclass
class Case:
    """One variant's system, with a private project folder, on a chain reverted after the test."""

    system: System
    root: Path
    url: str

    @property
    def w3(self) -> Any:
        return self.system.w3


def _case(world: World, variant: str, tmp_path: Path) -> Iterator[Case]:
    root = tmp_path / "project"
    shutil.copytree(world.root, root, symlinks=True)
    snap = world.w3.provider.make_request("evm_snapshot", [])["result"]
    try:
        yield Case(world.systems[variant], root, world.url)
    finally:
        world.w3.provider.make_request("evm_revert", [snap])


@pytest.fixture(params=["open", "safe-exec", "open-v4"])
def timelocked(world: World, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Case]:
    yield from _case(world, request.param, tmp_path)


@pytest.fixture(params=["governor", "governor-v4"])
def governed(world: World, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Case]:
    yield from _case(world, request.param, tmp_path)


@pytest.fixture
def case(world: World, tmp_path: Path) -> Any:
    """``case("open")``: one chosen variant (the chain reverted when the test ends)."""
    made: list[Iterator[Case]] = []

    def pick(variant: str) -> Case:
        gen = _case(world, variant, tmp_path / variant)
        made.append(gen)
        return next(gen)

    yield pick
    for gen in reversed(made):
        next(gen, None)
