from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def outside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder outside any project: review sees only the file it is given."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("UPGRADER_PROJECT", raising=False)
    monkeypatch.delenv("UPGRADER_DEPLOYMENTS", raising=False)
    return tmp_path
