"""Hypothesis drives the runner: each example is two lists of drawn calls, the calls before
the plan's batch runs and the calls after it; a failing example is shrunk (fewer calls on
either side, simpler arguments) and the last failing trace, the shrunk one hypothesis replays at the end, is
the one reported. Examples are remembered in the project's ``.hypothesis/`` database, so a
failure found once is tried first next time."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from upgrader.fuzz.runner import Runner
from upgrader.fuzz.strategies import Draw, system_draws
from upgrader.fuzz.example.trace import Trace

Progress = Callable[["SearchStats"], None]


@dataclass
class SearchStats:
    examples: int = 0
    calls: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    @property
    def calls_per_s(self) -> float:
        return self.calls / self.seconds if self.seconds > 0 else 0.0


@dataclass
class SearchResult:
    stats: SearchStats
    failure: Trace | None  # the shrunk failing example, or None when every example passed
    shrunk_from: int | None = None  # calls in the first failing example found


class _Found(AssertionError):
    pass


def search(runner: Runner, examples: int, steps: int, seed: int | None, database: Path | None,
           progress: Progress = lambda _: None, every_s: float = 0.5) -> SearchResult:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as with_seed
    from hypothesis import strategies as st
    from hypothesis.database import DirectoryBasedExampleDatabase
    from hypothesis.reporting import with_reporter

    target = runner.target
    step = system_draws(target)
    stats = SearchStats()
    failing: list[Trace] = []
    last = [0.0]

    half = st.lists(step, max_size=max(1, steps // 2))

    def example(before: list[Draw], after: list[Draw]) -> None:
        """``before`` run, then the upgrade, then ``after``: each list shrinks on its own."""
        start = runner.calls_run
        trace = runner.run([*before, *after], len(before))
        stats.examples += 1
        stats.calls += runner.calls_run - start
        if time.monotonic() - last[0] >= every_s:
            last[0] = time.monotonic()
            progress(stats)
        if trace.failure is not None:
            failing.append(trace)
            raise _Found(trace.failure.message)

    # its key in the database: the system (network and contracts), so a failure found on one plan
    # is tried first on the next plan of the same system too
    key = f"{target.network}:{','.join(c.name for c in target.contracts)}"
    example._hypothesis_internal_add_digest = key.encode()  # type: ignore[attr-defined]
    test = settings(max_examples=examples, deadline=None, derandomize=False, print_blob=False, report_multiple_bugs=False,
              database=DirectoryBasedExampleDatabase(str(database)) if database is not None else None,
              suppress_health_check=list(HealthCheck),
                    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink))(given(before=half, after=half)(example))
    if seed is not None:
        test = with_seed(seed)(test)
    try:
        with with_reporter(lambda _: None):  # hypothesis' own report would go to stdout; ours is the trace
            test()
    except _Found:
        progress(stats)
        return SearchResult(stats, failing[-1], len(failing[0].calls))
    progress(stats)
    return SearchResult(stats, None)
