"""The checker's fixture pairs and the compiler settings they are built with (shared by
``conftest.py`` and the tests; a uniquely named module, as several test folders have a conftest)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from upgrader.build.project import CompilerSettings

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
