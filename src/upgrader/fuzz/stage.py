"""`upgrader fuzz` as a library call: choose the plan, open the forks, search (or replay one
example), confirm a failure found in pyrevm on Anvil, save it, and say what happened."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from upgrader.errors import InputError
from upgrader.fuzz import invariants
from upgrader.fuzz.example import replay
from upgrader.fuzz.runner import Runner
from upgrader.fuzz.search import SearchStats, search
from upgrader.fuzz.session import EngineName, Session, open_session
from upgrader.fuzz.example.trace import Trace

Progress = Callable[[SearchStats], None]


@dataclass(frozen=True)
class FuzzOptions:
    examples: int = 100
    steps: int = 20
    seed: int | None = None
    engine: EngineName = "revm"
    fork_block: int | None = None
    database: bool = True  # keep hypothesis' examples in <project>/.hypothesis/examples


@dataclass
class FuzzReport:
    plan_hash: str
    fork_block: int
    engine: str
    examples: int
    calls: int
    seconds: float
    failure: Trace | None = None
    example_path: Path | None = None
    shrunk_from: int | None = None
    confirmed_on: str | None = None  # the engine that reproduced the failure
    replayed: Trace | None = None  # --replay: the example's run, passing or not
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def calls_per_s(self) -> float:
        return self.calls / self.seconds if self.seconds > 0 else 0.0


def choose_plan(ctx: Any, plan_path: Path | None) -> dict[str, Any]:
    """The plan file given, checked against today's settings, or a plan made now (not written)."""
    from upgrader.stages.planfile import load_plan

    if plan_path is None:
        from upgrader.stages.plan import make_plan

        plan = make_plan(ctx)
        if plan is None:
            raise InputError(f"nothing to fuzz on {ctx.network.name}: every proxy runs its built target "
                             "(set a module's target to the new version, or pass --plan)")
        return plan
    plan = load_plan(plan_path)
    if plan["network"] != ctx.network.name:
        raise InputError(f"{plan_path} is a plan for {plan['network']}; pass --network {plan['network']}")
    for u in plan["upgrades"]:
        module = ctx.config.modules.get(u["proxy"])
        declared = sorted({c.replace(" ", "") for c in module.fuzz.changed}) if module is not None else []
        if declared != u.get("fuzz", {}).get("changed", []):
            raise InputError(f"{plan_path}: the fuzz.changed of {u['proxy']} in the settings differ from the plan's; "
                             "re-run `upgrader plan` (they are part of its hash)")
    return plan


def make_runner(ctx: Any, session: Session) -> Runner:
    """The differential runner of ``session``, with the project's invariants when it names a file."""
    check = None
    if ctx.config.fuzz.invariants:
        found = invariants.load(ctx.config.root / ctx.config.fuzz.invariants)
        check = invariants.checker(found, session.target, tuple(session.pool.values["actor"]))
    return Runner(session.target, session.pair, session.pool, check)


def fuzz(ctx: Any, plan: dict[str, Any], options: FuzzOptions, progress: Progress = lambda _: None) -> FuzzReport:
    with open_session(ctx, plan, options.engine, options.fork_block, ctx.config.fuzz.actors) as session:
        runner = make_runner(ctx, session)
        database = ctx.config.root / ".hypothesis" / "examples" if options.database else None
        found = search(runner, options.examples, options.steps, options.seed, database, progress)
        stats = found.stats
        report = FuzzReport(plan["plan_hash"], session.fork_block, options.engine, stats.examples, stats.calls,
                            stats.seconds, found.failure, shrunk_from=found.shrunk_from)
    if report.failure is not None:
        report.confirmed_on = options.engine
        if options.engine == "revm":
            report.failure, report.confirmed_on = confirm_on_anvil(ctx, plan, session, report.failure, report.notes)
        save(ctx, session, report)
    return report


def confirm_on_anvil(ctx: Any, plan: dict[str, Any], session: Session, trace: Trace, notes: list[str]) -> tuple[Trace, str]:
    """Run the failing calls again on two Anvil forks (the reference engine); its trace is the
    one reported. Should Anvil not fail, pyrevm's trace is kept and the disagreement said."""
    with open_session(ctx, plan, "anvil", session.fork_block, ctx.config.fuzz.actors) as anvil_session:
        again = make_runner(ctx, anvil_session).run(list(trace.calls), trace.upgrade_at if trace.upgrade_at is not None else len(trace.calls))
    if again.failure is not None:
        return again, "anvil"
    notes.append("Anvil did not reproduce this failure found in pyrevm: the engines disagree; run with --engine anvil")
    return trace, "revm"


def save(ctx: Any, session: Session, report: FuzzReport) -> None:
    assert report.failure is not None
    data = replay.to_file(session.target, session.fork_block, report.failure)
    report.example_path = replay.save(ctx.store.folder / "fuzz", data)


def replay_file(ctx: Any, plan: dict[str, Any], path: Path, engine: EngineName) -> FuzzReport:
    """Run the example at ``path`` once, at its fork block, against ``plan``."""
    example = replay.load(path)
    if example.network != ctx.network.name or example.chain_id != ctx.chain_id:
        raise InputError(f"{path} is an example of {example.network} (chain {example.chain_id}); pass --network {example.network}")
    with open_session(ctx, plan, engine, example.fork_block, ctx.config.fuzz.actors) as session:
        calls = replay.calls_of(example, session.target)
        if example.upgrade_at > len(calls):
            raise InputError(f"{path}: upgrade_at {example.upgrade_at} is past its {len(calls)} calls")
        runner = make_runner(ctx, session)
        trace = runner.run(list(calls), example.upgrade_at)
    failed = trace if trace.failure is not None else None
    return FuzzReport(plan["plan_hash"], example.fork_block, engine, 1, runner.calls_run, 0.0, failed, example_path=path,
                      confirmed_on=engine if failed else None, replayed=trace)
