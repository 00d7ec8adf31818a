"""pyrevm may carry the fuzzer's hot loop only because it gives Anvil's results: the same
random sequences of the demo system (with the upgrade through the Safe at a random step) run on
two Anvil forks and on two pyrevm forks of the same block, and every call's result (return or
revert data), its logs, the upgrade's outcome and every view probed must be identical."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.chain


@pytest.fixture(scope="module")
def both_engines(fuzz_fixture):
    from upgrader.fuzz.runner import Runner
    from upgrader.fuzz.session import open_session
    from upgrader.fuzz.stage import choose_plan
    from upgrader.stages.context import open_network

    import os

    old = {k: os.environ.get(k) for k in fuzz_fixture.env()}
    os.environ.update(fuzz_fixture.env())
    try:
        from upgrader import config as cfg

        ctx = open_network("local", cfg.load(fuzz_fixture.root))
        plan = choose_plan(ctx, None)
        block = int(ctx.w3.eth.block_number)
        with open_session(ctx, plan, "anvil", block) as on_anvil, open_session(ctx, plan, "revm", block) as in_revm:
            yield Runner(on_anvil.target, on_anvil.pair, on_anvil.pool), Runner(in_revm.target, in_revm.pair, in_revm.pool)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _same(a, b) -> None:
    assert (a.ok, a.data, a.halt) == (b.ok, b.data, b.halt)


def test_pyrevm_gives_anvils_results(both_engines) -> None:
    from upgrader.fuzz.strategies import draws

    anvil_runner, revm_runner = both_engines
    assert [c.address for c in anvil_runner.target.contracts] == [c.address for c in revm_runner.target.contracts]
    assert anvil_runner.base_pool.values == revm_runner.base_pool.values  # the same actors, ids and keys seen
    functions = [(i, fn) for i, c in enumerate(anvil_runner.target.contracts) for fn in c.callable()]
    compared = {"calls": 0, "reverts": 0, "logs": 0}

    @settings(max_examples=25, database=None, derandomize=True, suppress_health_check=list(HealthCheck), deadline=None)
    @given(before=st.lists(draws(functions), max_size=8), after=st.lists(draws(functions), max_size=8))
    def same_results(before, after) -> None:
        a = anvil_runner.run([*before, *after], len(before))
        b = revm_runner.run([*before, *after], len(before))
        assert len(a.steps) == len(b.steps)
        for x, y in zip(a.steps, b.steps):
            assert x.call == y.call
            if x.call is None:
                assert x.upgrade["ok"] and y.upgrade["ok"]
                continue
            _same(x.upgraded, y.upgraded)
            _same(x.reference, y.reference)
            assert x.upgraded.logs == y.upgraded.logs and x.reference.logs == y.reference.logs
            compared["calls"] += 1
            compared["reverts"] += not x.upgraded.ok
            compared["logs"] += len(x.upgraded.logs)
        assert (a.failure is None) == (b.failure is None)
        if a.failure is not None:
            assert (a.failure.kind, a.failure.message) == (b.failure.kind, b.failure.message)

    same_results()
    # the sequences did things: successful calls with logs and reverts both, compared one by one
    assert compared["calls"] >= 100 and compared["logs"] > 0 and 0 < compared["reverts"] < compared["calls"], compared


def test_views_and_time_agree(both_engines) -> None:
    """Block numbers and times follow the same rule on both (one 12 s block per transaction),
    and the views the oracle probes read the same on both before anything ran."""
    from upgrader.fuzz.runner import probes

    anvil_runner, revm_runner = both_engines
    for runner in both_engines:
        runner.pair.reset()
    assert anvil_runner.pair.upgraded.block() == revm_runner.pair.upgraded.block()
    reads = [r for c in anvil_runner.target.contracts for r in probes(c, c.before, anvil_runner.base_pool)]
    calls = [(c.address, fn.encode(args)) for c, fn, args in reads]
    for x, y in zip(anvil_runner.pair.upgraded.views(calls), revm_runner.pair.upgraded.views(calls), strict=True):
        _same(x, y)
    assert len(calls) > 50
