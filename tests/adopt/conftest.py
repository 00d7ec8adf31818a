"""Fixtures of the adoption tests; the deployment itself is in adopt_fixture.py."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from adopt_fixture import ROOT, Adopted, copy_project, deploy


@pytest.fixture(scope="session")
def adopted_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Adopted]:
    from upgrader.chain import anvil as anvil_mod

    from upgrader.build.project import project_build_info

    root = copy_project(tmp_path_factory.mktemp("adopt") / "project")
    with anvil_mod.running(["--silent"], root=ROOT) as node:
        system = deploy(root, node)
        project_build_info(root)  # upgrader's build cache, copied into each test's project
        yield system


@pytest.fixture
def adopted(adopted_base: Adopted, tmp_path: Path) -> Iterator[Adopted]:
    """The deployed fixture with a private copy of the project, the chain reverted afterwards."""
    root = tmp_path / "project"
    shutil.copytree(adopted_base.root, root, symlinks=True)
    moved = {k: root / getattr(adopted_base, k).relative_to(adopted_base.root) for k in ("broadcast", "oz_manifest", "build_info")}
    snap = adopted_base.w3.provider.make_request("evm_snapshot", [])["result"]
    try:
        yield replace(adopted_base, root=root, **moved)
    finally:
        adopted_base.w3.provider.make_request("evm_revert", [snap])


