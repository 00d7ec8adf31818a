"""Session fixtures of the build tests (helpers in build_helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from build_helpers import copy_fixture, forge_home


@pytest.fixture(scope="session")
def foundry_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_fixture(tmp_path_factory.mktemp("foundry") / "project")


@pytest.fixture(scope="session")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return forge_home(tmp_path_factory.mktemp("forge"), "0.8.28", "0.8.24", "0.8.12")
