"""Fixtures for the checker tests: every fixture pair compiled once into one build-info."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from checker_fixtures import CACHE, SETTINGS, fixture_sources
from upgrader.build.project import compile_to_build_info
from upgrader.layout.buildset import BuildSet


@pytest.fixture(scope="session", autouse=True)
def check_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The facts cache of `upgrader check` in a folder of this session (subprocesses inherit it)."""
    folder = tmp_path_factory.mktemp("check-cache")
    os.environ["UPGRADER_CACHE_DIR"] = str(folder)
    return folder


@pytest.fixture(scope="session")
def fixtures_build_info() -> dict[str, Any]:
    return compile_to_build_info(fixture_sources(), SETTINGS, CACHE)


@pytest.fixture(scope="session")
def fixtures_builds(fixtures_build_info: dict[str, Any]) -> BuildSet:
    return BuildSet.of(fixtures_build_info)


@pytest.fixture(scope="session")
def fixtures_build_dir(fixtures_build_info: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("build-info")
    (folder / f"{fixtures_build_info['id']}.json").write_text(json.dumps(fixtures_build_info))
    return folder
