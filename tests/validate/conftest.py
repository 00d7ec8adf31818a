"""The validation fixtures, compiled once per session (cached under .build/) into one build-info."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

from upgrader.build.project import CompilerSettings, collect_sources, compile_to_build_info
from upgrader.validate import index_for

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
SNAPSHOTS = Path(__file__).parent / "snapshots"
CACHE = ROOT / ".build" / "tests-validate"


def unit_of(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@functools.cache
def load_build_info() -> dict[str, Any]:
    entries = sorted(unit_of(path) for path in FIXTURES.glob("*.sol"))
    sources = collect_sources(ROOT, entries, [ROOT / "node_modules"])
    return compile_to_build_info(sources, CompilerSettings(version="0.8.28"), CACHE)


@pytest.fixture(scope="session")
def build_info() -> dict[str, Any]:
    return load_build_info()


@pytest.fixture(scope="session")
def fixture_contracts(build_info: dict[str, Any]) -> list[str]:
    """Every deployable contract defined in the fixture files, as ``<unit>:<Name>``."""
    index = index_for(build_info)
    return sorted(
        fqn
        for fqn, node in index.contracts.items()
        if fqn.startswith("tests/validate/fixtures/") and node["contractKind"] == "contract" and not node["abstract"]
    )
