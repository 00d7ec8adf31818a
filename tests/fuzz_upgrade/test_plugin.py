"""The pytest plugin as a team uses it: a test file in the project (no conftest, no import of
the plugin: the pytest11 entry point loads it) drives the demo system deployed on the fixture's
chain through the upgrade with ``upgrader_fork`` and a strategy from ``upgrader.fuzz``, in a
pytest of its own (a subprocess). It passes with the real V2, keeps hypothesis' database in
the project's ``.hypothesis/``, fails on a planted bug with the numbered calls, and cannot run
without the plugin (``-p no:upgrader``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.chain

TEAM_TESTS = '''\
"""Our upgrade must not change what the vault does."""
from hypothesis import given, settings, strategies as st

from upgrader.fuzz import abi_value


@settings(max_examples=30)
@given(data=st.data())
def test_v2_behaves_as_v1(upgrader_fork, data):
    upgrader_fork.assert_agrees(data.draw(upgrader_fork.examples(steps=8)))


@settings(max_examples=15)
@given(property_id=st.integers(0, 4) | abi_value("uint256"))
def test_escrow_reads_the_same_across_the_upgrade(upgrader_fork, property_id):
    upgrader_fork.reset()
    before = upgrader_fork.view("RentVault", "balanceOf(uint256)", property_id)
    upgrader_fork.upgrade()
    assert upgrader_fork.view("RentVault", "balanceOf(uint256)", property_id) == before
'''


@pytest.fixture
def team_project(fuzz_project) -> Iterator:
    tests = fuzz_project.root / "upgrade_tests"  # the other tests of the fixture use tests/ (an invariants file)
    tests.mkdir()
    (tests / "test_upgrade_properties.py").write_text(TEAM_TESTS)
    yield fuzz_project
    shutil.rmtree(tests)


CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "TF_BUILD", "BUILDKITE", "CIRCLECI", "CIRRUS_CI", "GITLAB_CI",
                "CODEBUILD_BUILD_ID", "HEROKU_TEST_RUN_ID", "TEAMCITY_VERSION", "bamboo.buildKey",
                "__TOX_ENVIRONMENT_VARIABLE_ORIGINAL_CI")  # what hypothesis' is_in_ci() looks at (_settings.py, 6.170.15)


def team_pytest(project, *args: str, cwd: str = ".", ci: bool = False) -> subprocess.CompletedProcess:
    """pytest run as a team runs it: inside the project (found from the working folder, as the
    CLI finds it), the chain's RPC and the deployments folder from the environment; on a
    developer's machine, or (``ci``) on a GitHub Actions runner, where hypothesis loads its own
    ``ci`` profile. Whatever runs this suite, the team's pytest sees only the one asked for."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "HYPOTHESIS_", "UPGRADER_")) and k not in CI_VARIABLES}
    if ci:
        env.update(CI="true", GITHUB_ACTIONS="true")
    env.update({k: v for k, v in project.env().items() if k != "UPGRADER_PROJECT"})
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:ape_test", *args],
                          cwd=project.root / cwd, env=env, capture_output=True, text=True, timeout=600, check=False)


def test_a_team_test_on_the_plugin_passes_with_the_real_v2(team_project) -> None:
    done = team_pytest(team_project)
    assert done.returncode == 0, ("is the plugin installed? (make install registers the pytest11 entry point)\n"
                                  + done.stdout[-3000:] + done.stderr[-2000:])
    assert "2 passed" in done.stdout, done.stdout


@pytest.mark.parametrize("ci", [False, True], ids=["developer", "github-actions"])
def test_a_team_test_fails_on_a_planted_bug(team_project, ci: bool) -> None:
    """Run from the project's test folder: hypothesis' database is the project's all the same,
    on a CI runner too (hypothesis' own ci profile has none: the README's cached .hypothesis/)."""
    team_project.target("RentVault", "RentVaultWrongSlot")
    shutil.rmtree(team_project.root / ".hypothesis", ignore_errors=True)
    done = team_pytest(team_project, cwd="upgrade_tests", ci=ci)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert "2 failed" in done.stdout, done.stdout[-3000:]
    assert "the upgrade changes behaviour:" in done.stdout and "view-changed:" in done.stdout, done.stdout[-3000:]
    assert "-- upgrade: the plan's batch through the Safe: ok" in done.stdout
    database = team_project.root / ".hypothesis" / "examples"
    assert database.is_dir() and any(database.iterdir()), "the failing examples are not in the project's .hypothesis/"
    assert not (team_project.root / "upgrade_tests" / ".hypothesis").exists()


def test_without_the_plugin_the_fixtures_are_missing(team_project) -> None:
    done = team_pytest(team_project, "-p", "no:upgrader")
    assert done.returncode != 0
    assert "fixture 'upgrader_fork' not found" in done.stdout, done.stdout[-3000:]


def test_bad_input_is_one_line(team_project) -> None:
    done = team_pytest(team_project, "--upgrader-network", "nowhere", "-x")
    assert done.returncode != 0
    failed = [line for line in done.stdout.splitlines() if line.startswith("E ") or "upgrader:" in line]
    assert any("upgrader: " in line and "nowhere" in line for line in failed), done.stdout[-3000:]
    assert "Traceback" not in done.stdout
