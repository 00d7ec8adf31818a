"""Fixtures for the checker tests: every fixture pair compiled once into one build-info."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from upgrader.build.project import CompilerSettings, compile_to_build_info
from upgrader.layout.buildset import BuildSet

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
CACHE = ROOT / ".build" / "upgrader" / "test-build-info"
EXPECTED: dict[str, bool] = json.loads((FIXTURES / "expected.json").read_text())
CASES = sorted(EXPECTED)


# What OpenZeppelin's validate reads besides layouts and ASTs (it walks linkReferences).
OZ_OUTPUTS = ["abi", "evm.bytecode", "evm.deployedBytecode", "evm.methodIdentifiers", "metadata", "storageLayout"]


@dataclass(frozen=True)
class FixtureSettings(CompilerSettings):
    """The project's compiler settings with an output selection upgrades-core can also read."""

    def as_standard_json(self) -> dict[str, Any]:
        settings = super().as_standard_json()
        settings["outputSelection"] = {"*": {"*": OZ_OUTPUTS, "": ["ast"]}}
        return settings


SETTINGS = FixtureSettings("0.8.28")


def fixture_sources() -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text()
        for path in sorted(FIXTURES.glob("*.sol"))
    }


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
