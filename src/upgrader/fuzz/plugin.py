"""The pytest plugin (entry point ``pytest11: upgrader``, so installing upgrader enables it;
``-p no:upgrader`` turns it off): a team's own hypothesis tests on the same machinery as
`upgrader fuzz`.

Fixtures, all for the session (opening a fork takes a second or two; examples reset it):
- ``upgrader_context``: the network of ``--upgrader-network`` (default: the ini option
  ``upgrader_network``, else ``local``) with the system the project deployed or imported there
  (``deployments/<network>/manifest.json``);
- ``upgrader_plan``: the plan of ``--upgrader-plan FILE``, or one made from the build now
  (as `upgrader fuzz` does; nothing written);
- ``upgrader_fork``: an ``upgrader.fuzz.UpgradeFork`` on that plan: Anvil forks the network at
  its head, the two forks run in pyrevm (``--upgrader-engine anvil`` for two Anvil forks), the
  project's ``fuzz.invariants`` run after every step of ``run``/``assert_agrees``.

Hypothesis: the plugin loads a profile ``upgrader-fuzz``, the active one with no deadline (a
fork call's time is the machine's, not the test's), no explain phase, and the example database in
``<project>/.hypothesis/examples`` (where `upgrader fuzz` keeps its own; cache that folder in
CI so a failure found once is tried first next time), on a CI runner too, where hypothesis' own
``ci`` profile would turn the database off. ``--hypothesis-profile`` still wins."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ENGINES = ("revm", "anvil")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("upgrader", "upgrader fuzz: property-based upgrade tests")
    group.addoption("--upgrader-network", default=None, help="network of the system under test (default: ini upgrader_network, else local)")
    group.addoption("--upgrader-plan", default=None, type=Path, help="a plan file (default: plan the build now, write nothing)")
    group.addoption("--upgrader-engine", default="revm", choices=ENGINES, help="revm (in process, default) or anvil (the reference)")
    parser.addini("upgrader_network", "network of the system under test (default: local)", default="local")


@pytest.hookimpl(tryfirst=True)  # before hypothesis' own pytest_configure, so --hypothesis-profile wins
def pytest_configure(config: pytest.Config) -> None:
    from hypothesis import Phase, settings
    from hypothesis.configuration import set_hypothesis_home_dir
    from hypothesis.database import DirectoryBasedExampleDatabase

    home = _root(config) / ".hypothesis"
    set_hypothesis_home_dir(str(home))  # hypothesis' other caches too, not one .hypothesis/ per working folder
    base = settings.default
    # On a CI runner hypothesis loads its own "ci" profile, which turns the database off
    # (HypothesisWorks/hypothesis, hypothesis-python/src/hypothesis/_settings.py, `CI = settings(...
    # database=None ...)` and `if is_in_ci(): settings.load_profile("ci")`, at 6.170.15): the cached
    # .hypothesis/ the README's CI job restores would never be read or written. Only a profile the
    # team chose itself (a conftest's load_profile) turns our database off.
    current = getattr(settings, "get_current_profile_name", lambda: None)()  # hypothesis < 6.1xx has neither
    hypothesis_ci = current == "ci"
    keep = base.database is not None or hypothesis_ci
    database = DirectoryBasedExampleDatabase(str(home / "examples")) if keep else None
    phases = tuple(p for p in base.phases if p != Phase.explain)  # as `upgrader fuzz`: re-running a chain example to explain it costs more than it tells
    settings.register_profile("upgrader-fuzz", parent=base, deadline=None, database=database, phases=phases)
    settings.load_profile("upgrader-fuzz")


def _root(config: pytest.Config) -> Path:
    """The upgrader project (as the CLI finds it), else pytest's root folder."""
    from upgrader.build.project import find_root
    from upgrader.errors import InputError

    try:
        return find_root()
    except InputError:
        return Path(config.rootpath)


def _fail_on_input(call: Any) -> Any:
    """A fixture's bad input (unknown network, unreachable RPC, stale plan) as one line, no traceback."""
    from upgrader.errors import UpgraderError

    try:
        return call()
    except UpgraderError as exc:
        pytest.fail(f"upgrader: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def upgrader_context(pytestconfig: pytest.Config) -> Any:
    from upgrader.stages.context import open_network

    network = pytestconfig.getoption("upgrader_network") or pytestconfig.getini("upgrader_network")
    return _fail_on_input(lambda: open_network(network))


@pytest.fixture(scope="session")
def upgrader_plan(pytestconfig: pytest.Config, upgrader_context: Any) -> dict[str, Any]:
    from upgrader.fuzz.stage import choose_plan

    path = pytestconfig.getoption("upgrader_plan")
    return _fail_on_input(lambda: choose_plan(upgrader_context, path))


@pytest.fixture(scope="session")
def upgrader_fork(pytestconfig: pytest.Config, upgrader_context: Any, upgrader_plan: dict[str, Any]) -> Iterator[Any]:
    from upgrader.fuzz.fork import UpgradeFork
    from upgrader.fuzz.session import open_session
    from upgrader.fuzz.stage import make_runner

    ctx = upgrader_context
    engine = pytestconfig.getoption("upgrader_engine")
    opened = open_session(ctx, upgrader_plan, engine, None, ctx.config.fuzz.actors)
    session = _fail_on_input(opened.__enter__)
    try:
        yield UpgradeFork(session, _fail_on_input(lambda: make_runner(ctx, session)))
    finally:
        opened.__exit__(None, None, None)
