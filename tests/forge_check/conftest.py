"""The Foundry project of this folder, built once per session with the real forge."""

from __future__ import annotations

from pathlib import Path

import pytest

from forge_project import FORGE, OZ, SOLC, SOURCES, copy_build_info, forge_build, write_project


@pytest.fixture(scope="session")
def forge_build_info(tmp_path_factory: pytest.TempPathFactory) -> Path:
    for tool in (FORGE, OZ, SOLC):
        if not tool.exists():
            pytest.fail(f"{tool} is missing; run `make install`")
    return forge_build(write_project(tmp_path_factory.mktemp("forge") / "project", SOURCES))


@pytest.fixture(scope="session")
def previous_release(forge_build_info: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build-info of the previous release, in a folder named `previous` (its short name)."""
    return copy_build_info(forge_build_info, tmp_path_factory.mktemp("release") / "previous")
