"""One real `npx hardhat compile` per session, shared by the tests of this folder."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hardhat_project import BIN, copy_project, hardhat


@pytest.fixture(scope="session")
def hardhat_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (BIN / "hardhat").exists():
        pytest.fail(f"{BIN / 'hardhat'} is missing; run `make install`")
    root = copy_project(tmp_path_factory.mktemp("hardhat") / "project")
    t = time.monotonic()
    hardhat(root, "compile")
    print(f"\nnpx hardhat compile: {time.monotonic() - t:.1f} s")
    return root
