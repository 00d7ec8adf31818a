"""Set up a fuzzing session: fork the network at a pinned block with Anvil, make the two forks
(on Anvil itself, or in pyrevm forked from it), fund the actors, seed the pool with what the
chain already holds, and mark the state every example starts from."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from eth_utils import to_checksum_address

from upgrader.fuzz.abi import event_types
from upgrader.fuzz.engine import Engine
from upgrader.fuzz.pool import Pool, callers
from upgrader.fuzz.runner import Pair, probes
from upgrader.fuzz.target import Target, build_target
from upgrader.keccak import keccak

EngineName = Literal["revm", "anvil"]
FUNDS = 10**24  # wei each actor holds
HISTORY_BLOCKS = 20_000  # how far back the chain's events seed the pool
SEEN_ACTORS = 12  # accounts without code seen in events, made senders too


@dataclass
class Session:
    target: Target
    pair: Pair
    pool: Pool
    fork_block: int
    engine: EngineName
    fork_url: str  # the Anvil fork the engines read from (for a replay on the reference engine)


def fresh_actor(i: int) -> str:
    return to_checksum_address(keccak(f"upgrader.fuzz.actor.{i}".encode())[12:])


@contextlib.contextmanager
def open_session(ctx: Any, plan: dict[str, Any], engine: EngineName = "revm", fork_block: int | None = None,
                 actors: int = 4) -> Iterator[Session]:
    """Everything stopped on exit (the Anvil forks die with this process in any case)."""
    from upgrader.chain import anvil
    from upgrader.stages.batch import plan_safe_tx
    from upgrader.stages.planfile import ensure_fresh

    manifest = ctx.manifest_with_safe()
    ensure_fresh(plan, manifest)
    block = int(ctx.w3.eth.block_number) if fork_block is None else fork_block
    with contextlib.ExitStack() as stack:
        base = stack.enter_context(anvil.fork(ctx.fork_url, block, root=ctx.config.root))
        first = _engine(stack, engine, base.url, ctx, block)
        second = _engine(stack, engine, base.url if engine == "revm" else _second_fork(stack, ctx, block), ctx, block)
        nonce = int.from_bytes(first.views([(manifest.safe.address, keccak(b"nonce()")[:4])])[0].data, "big")
        target = build_target(manifest, ctx.build_info, plan, plan_safe_tx(plan, nonce), ctx.config)
        _register_errors(target)
        pool = seed_pool(ctx, target, manifest, first, block, actors)
        for address in pool.values["actor"]:
            first.fund(address, FUNDS)
            second.fund(address, FUNDS)
        pair = Pair(first, second)
        pair.mark_base()
        yield Session(target, pair, pool, block, engine, base.url)


def _second_fork(stack: contextlib.ExitStack, ctx: Any, block: int) -> str:
    from upgrader.chain import anvil

    return stack.enter_context(anvil.fork(ctx.fork_url, block, root=ctx.config.root)).url


def _engine(stack: contextlib.ExitStack, kind: EngineName, url: str, ctx: Any, block: int) -> Engine:
    from upgrader.fuzz.engine.anvil import AnvilEngine

    anvil_engine = AnvilEngine(url)
    if kind == "anvil":
        stack.callback(anvil_engine.close)
        return anvil_engine
    from upgrader.fuzz.engine.revm import RevmEngine

    number, timestamp = anvil_engine.block()
    anvil_engine.close()
    made = RevmEngine(url, number, timestamp, anvil_engine.chain_id)
    stack.callback(made.close)
    return made


def _register_errors(target: Target) -> None:
    from upgrader.sim.reasons import errors_from

    errors_from([list(abi) for abi in target.abis])


def seed_pool(ctx: Any, target: Target, manifest: Any, engine: Engine, block: int, actors: int) -> Pool:
    """Actors: the accounts without code the manifest names (its extras, e.g. a deployer),
    then those the chain's recent events name, then fresh funded accounts.
    Addresses, ids and keys: the system's own, its events' arguments, and what its
    no-argument views return."""
    events = {t: types for abi in target.abis for t, types in event_types(list(abi)).items()}
    pool = Pool(events=events)
    history = _history(ctx, target, block)
    named = Pool(events=events)
    for event in history:
        named.learn_log(tuple(bytes.fromhex(t[2:]) for t in event.topics), event.data)
    candidates = [*manifest.extras.values(), *named.values["address"]]  # the Safe's owners sign; they are not users
    seen = 0
    for address in dict.fromkeys(to_checksum_address(a) for a in candidates if isinstance(a, str) and a.startswith("0x")):
        if seen < SEEN_ACTORS and int(address, 16) > 0xFFFF and not engine.code(address):  # not 0x0 or a precompile
            pool.add("actor", address)
            seen += 1
    for i in range(actors):
        pool.add("actor", fresh_actor(i))
    for c in target.contracts:
        pool.add("address", c.address)
    pool.add("address", target.safe)
    for kind, values in named.values.items():
        if kind != "actor":
            for value in values:
                pool.add(kind, value)
    for event in history:  # a contract's callers: the actors its events name (a vault's tenants and landlords)
        for t, _, value in named.log_values(tuple(bytes.fromhex(t[2:]) for t in event.topics), event.data) or ():
            if t == "address" and to_checksum_address(value) in pool.seen["actor"]:
                pool.add(callers(event.address), to_checksum_address(value))
    reads = [r for c in target.contracts for r in probes(c, {s: f for s, f in c.before.items() if not f.inputs}, pool)]
    for (c, fn, args), out in zip(reads, engine.views([(c.address, fn.encode(args)) for c, fn, args in reads])):
        if out.ok:
            pool.learn_call(fn, args, fn.decode_output(out.data))
    return pool


def _history(ctx: Any, target: Target, block: int) -> list[Any]:
    from upgrader.chain.events import read_events
    from upgrader.errors import InputError

    topics = sorted({"0x" + t.hex() for abi in target.abis for t in event_types(list(abi))})
    if not topics:
        return []
    start = max(0, block - HISTORY_BLOCKS)
    try:
        return list(read_events(ctx.w3, [c.address for c in target.contracts], topics, start, block))
    except InputError:  # an RPC that refuses log queries: the pool starts from the system's addresses
        return []
