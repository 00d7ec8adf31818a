"""The pre-commit hook (.pre-commit-hooks.yaml): valid by pre-commit's own manifest schema, and
run by `pre-commit run` on a project whose .pre-commit-config.yaml names this repository at its
HEAD commit, as a team's would, so pre-commit installs it (language: python, the lean package)
and runs `entry` with `args` as given. pre-commit
(dev group) builds the hook's environment with pip from PyPI, as it does on a developer's machine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from checker_fixtures import ROOT

PRE_COMMIT = ROOT / ".venv" / "bin" / "pre-commit"
MANIFEST = ROOT / ".pre-commit-hooks.yaml"


def test_the_manifest_is_valid_by_pre_commit(tmp_path: Path) -> None:
    ok = subprocess.run([str(PRE_COMMIT), "validate-manifest", str(MANIFEST)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    (hook,) = yaml.safe_load(MANIFEST.read_text())
    assert hook["id"] == "upgrader-check" and hook["language"] == "python" and hook["pass_filenames"] is False
    broken = tmp_path / ".pre-commit-hooks.yaml"  # the same validation refuses a wrong one
    broken.write_text(yaml.safe_dump([{**hook, "pass_filenames": "no"}]))
    assert subprocess.run([str(PRE_COMMIT), "validate-manifest", str(broken)], capture_output=True).returncode != 0


def test_the_readme_config_is_valid_by_pre_commit(tmp_path: Path) -> None:
    import re

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("**pre-commit.**"):]
    block = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)[0]
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(block)
    ok = subprocess.run([str(PRE_COMMIT), "validate-config", str(config)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert yaml.safe_load(block)["repos"][0]["hooks"][0]["id"] == yaml.safe_load(MANIFEST.read_text())[0]["id"]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A git repository with a Solidity file and a pre-commit config using this repository's hook."""
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "Vault.sol").write_text("// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\ncontract Vault {}\n")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    config = {"repos": [{"repo": str(ROOT), "rev": head, "hooks": [{"id": "upgrader-check"}]}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    git(project, "init", "-q")
    git(project, "add", "src/Vault.sol", ".pre-commit-config.yaml")
    return project


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pre-commit's home: the hook's environment is built once for the module (per repo and rev)."""
    return tmp_path_factory.mktemp("pre-commit-home")


def pre_commit_run(project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UPGRADER_CACHE_DIR")}
    env.update(PRE_COMMIT_HOME=str(home), UPGRADER_CACHE_DIR=str(home / "facts"), NO_COLOR="1")
    return subprocess.run(
        [str(PRE_COMMIT), "run", "upgrader-check", "--all-files"],
        cwd=project, env=env, capture_output=True, text=True, timeout=600,
    )


def test_the_hook_checks_the_last_build(project: Path, fixtures_build_dir: Path, home: Path) -> None:
    build_info = project / "out" / "build-info"
    shutil.copytree(fixtures_build_dir, build_info)  # the checker's fixtures: unsafe pairs among them
    failed = pre_commit_run(project, home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "upgrader check (storage layouts, upgrade safety)" in failed.stdout and "Failed" in failed.stdout
    assert "- exit code: 1" in failed.stdout and "✘ tests/checker/fixtures/Insert_V2.sol:Insert_V2" in failed.stdout
    # the same hook on a build of safe upgrades only passes (the environment is reused)
    (info_file,) = build_info.glob("*.json")
    info = json.loads(info_file.read_text())
    keep = {"tests/checker/fixtures/Append_V1.sol", "tests/checker/fixtures/Append_V2.sol"}
    for part in ("input", "output"):
        info[part]["sources"] = {k: v for k, v in info[part]["sources"].items() if k in keep}
    info["output"]["contracts"] = {k: v for k, v in info["output"]["contracts"].items() if k in keep}
    info_file.write_text(json.dumps(info))
    passed = pre_commit_run(project, home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_without_a_build_the_hook_says_what_to_do(project: Path, home: Path) -> None:
    failed = pre_commit_run(project, home)
    assert failed.returncode == 1, failed.stdout + failed.stderr  # pre-commit's code for a failing hook
    assert "- exit code: 2" in failed.stdout and "out/build-info is not a folder" in failed.stdout
    assert "Traceback" not in failed.stdout
