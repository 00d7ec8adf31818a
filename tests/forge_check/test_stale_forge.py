"""forge keeps the old build-info beside the new one after an incremental build: the folder is
refused (exit 2, both files named) whether the stale file sorts first or last."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from forge_project import ROOT, SOURCES, forge_build, upgrader, vault, write_project

V2_INSERTS = vault(
    "VaultV2", "        uint256 total;\n        uint256 fee;\n        address token;", doc="/// @custom:oz-upgrades-from VaultV1\n"
)


@pytest.fixture(scope="module")
def incremental(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """The build-info folder after an edit of VaultV2.sol and `forge build`: (folder, stale file, fresh file)."""
    project = write_project(tmp_path_factory.mktemp("stale") / "project", SOURCES)
    folder = forge_build(project)
    (first,) = folder.glob("*.json")
    (project / "src" / "VaultV2.sol").write_text(V2_INSERTS)
    forge_build(project)
    files = sorted(folder.glob("*.json"))
    assert first in files and len(files) == 2  # forge kept the old build-info
    (fresh,) = [f for f in files if f != first]
    assert "VaultV2Insert" not in json.loads(fresh.read_text())["output"]["contracts"].get("src/VaultV2.sol", {})
    return folder, first.name, fresh.name


@pytest.mark.parametrize("stale_first", [True, False])
def test_stale_forge_build_is_refused_in_any_order(incremental: tuple[Path, str, str], stale_first: bool) -> None:
    folder, stale, fresh = incremental
    renamed = {stale: "0000.json" if stale_first else "ffff.json", fresh: "8888.json"}
    for old, new in renamed.items():
        (folder / old).rename(folder / new)
    try:
        code, _, report = upgrader(folder)
        assert code == 2
        error = report["error"]
        assert "stale build-info" in error and "src/VaultV2.sol:VaultV2" in error and "clean and rebuild" in error
        assert all(name in error for name in renamed.values())
    finally:
        for old, new in renamed.items():
            (folder / new).rename(folder / old)


def test_after_clean_and_rebuild_the_new_version_is_checked(incremental: tuple[Path, str, str], tmp_path: Path) -> None:
    folder, stale, _ = incremental
    project = folder.parent.parent
    subprocess.run([str(ROOT / "node_modules" / ".bin" / "forge"), "clean"], cwd=project, check=True, capture_output=True)
    forge_build(project)
    code, ours, report = upgrader(folder)
    assert code == 1 and ours["src/VaultV2.sol:VaultV2"] is False  # the fresh V2 inserts a variable
