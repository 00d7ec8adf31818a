"""Fixtures for the Safe layer: the public test vectors shared next to the repository."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / ".." / "shared" / "vectors"


def load_vector(name: str) -> dict[str, Any]:
    path = VECTORS / name
    if not path.is_file():
        pytest.fail(f"public test vector {path.resolve()} is missing: the Safe tests need ../shared/vectors/ "
                    "next to the repository", pytrace=False)
    return json.loads(path.read_text())


@pytest.fixture(scope="session")
def safe_tx_vector() -> dict[str, Any]:
    return load_vector("safe-tx-hash.json")


@pytest.fixture(scope="session")
def checksum_vector() -> dict[str, Any]:
    return load_vector("tx-builder-checksum.json")
