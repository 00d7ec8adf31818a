"""`--reference git:<rev>:<Contract>` compiles an older revision in a temporary worktree."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from upgrader.build.project import project_build_info
from upgrader.check.engine import check
from upgrader.errors import InputError
from upgrader.layout.buildset import BuildSet

V1 = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n\ncontract Box {\n    uint256 a;\n    uint256 b;\n}\n"
V2 = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n\ncontract Box {\n    uint256 a;\n    uint256 x;\n    uint256 b;\n}\n"


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "ape-config.yaml").write_text("solidity:\n  version: 0.8.28\n")
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "Box.sol").write_text(V1)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "v1")
    (tmp_path / "contracts" / "Box.sol").write_text(V2)
    return tmp_path


def test_git_reference_compares_with_the_committed_revision(project: Path) -> None:
    builds = BuildSet.of(project_build_info(project))
    report = check(builds, "Box", "git:HEAD:Box", project_root=project)
    (result,) = report.contracts
    assert result.reference == "git:HEAD:contracts/Box.sol:Box"
    assert "(upgrade from contracts/Box.sol:Box at HEAD)" in result.explain()
    assert [e.kind for e in result.errors if e.kind.startswith("layout-")] == ["layout-insert"]
    listed = subprocess.run(["git", "-C", str(project), "worktree", "list"], capture_output=True, text=True).stdout
    assert len(listed.strip().splitlines()) == 1  # the temporary worktree is gone


def test_unknown_revision_is_an_input_error(project: Path) -> None:
    builds = BuildSet.of(project_build_info(project))
    with pytest.raises(InputError, match="git"):
        check(builds, "Box", "git:no-such-rev:Box", project_root=project)


def commit(root: Path, message: str) -> None:
    git(root, "add", ".")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message)


def test_old_revision_without_a_project_file_uses_todays_settings(tmp_path: Path) -> None:
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "Box.sol").write_text(V1)
    git(tmp_path, "init", "-q")
    commit(tmp_path, "v1, before upgrader")
    (tmp_path / "ape-config.yaml").write_text("solidity:\n  version: 0.8.28\n")
    (tmp_path / "contracts" / "Box.sol").write_text(V2)
    builds = BuildSet.of(project_build_info(tmp_path))
    (result,) = check(builds, "Box", "git:HEAD:Box", project_root=tmp_path).contracts
    assert result.reference == "git:HEAD:contracts/Box.sol:Box"
    assert [e.kind for e in result.errors if e.kind.startswith("layout-")] == ["layout-insert"]


def test_project_in_a_monorepo_subfolder(tmp_path: Path) -> None:
    app = tmp_path / "packages" / "app"
    (app / "contracts").mkdir(parents=True)
    (app / "ape-config.yaml").write_text("solidity:\n  version: 0.8.28\n")
    (app / "contracts" / "Box.sol").write_text(V1)
    (tmp_path / "README.md").write_text("monorepo\n")
    git(tmp_path, "init", "-q")
    commit(tmp_path, "v1")
    git(tmp_path, "tag", "v1.0.0")
    (app / "contracts" / "Box.sol").write_text(V2)
    builds = BuildSet.of(project_build_info(app))
    (result,) = check(builds, "Box", "git:v1.0.0:Box", project_root=app).contracts
    assert "(upgrade from contracts/Box.sol:Box at v1.0.0)" in result.explain()
    assert [e.kind for e in result.errors if e.kind.startswith("layout-")] == ["layout-insert"]
