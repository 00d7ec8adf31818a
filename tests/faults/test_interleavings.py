"""Concurrent writers of recorded state (issue 22, point 1): random interleavings of `import`,
`execute`, `sync` and `watch` writers against one store on disk, each through the code the
commands run (``ManifestStore.create``, ``manifest.history.record``, ``watch.cursor.commit``),
some of them in real threads at once. Every writer looks first (what it knows, read outside the
lock, possibly stale by the time it writes) and writes later; the property: each on-chain event
is in the manifest exactly once, written by exactly one writer, history is a chain in chain
order, and each watch finding is reported by exactly one watcher."""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from upgrader.errors import InputError
from upgrader.manifest import Implementation, Manifest, ManifestStore, ProxyRecord, SafeRecord
from upgrader.manifest.history import SeenUpgrade, record
from upgrader.stages.sync import last_recorded_block
from upgrader.stages.watch import cursor

CHAIN_ID = 31337
PROXIES = ("Alpha", "Beta", "Gamma")


def _address(n: int) -> str:
    from eth_utils import to_checksum_address

    return to_checksum_address(f"0x{n:040x}")


def _impl(n: int, block: int | None = None) -> Implementation:
    return Implementation(address=_address(0x1000 + n), contract=f"src/V{n}.sol:V{n}", code_hash="0x" + f"{n:064x}",
                          storage_layout={}, block=block)


def _manifest() -> Manifest:
    safe = SafeRecord(address=_address(0x5afe), version="1.4.1", owners=[_address(0xa), _address(0xb)], threshold=1)
    proxies = [ProxyRecord(name=name, address=_address(0x100 + i), deploy_tx="0x" + f"{0xde00 + i:064x}", deploy_block=1,
                           implementation=_impl(0, block=1)) for i, name in enumerate(PROXIES)]
    return Manifest(network="local", chain_id=CHAIN_ID, safe=safe, proxies=proxies)


@dataclass(frozen=True)
class ChainEvent:
    proxy: str
    implementation: int
    block: int
    log_index: int

    @property
    def tx(self) -> str:
        return "0x" + f"{self.block:032x}{self.log_index:032x}"

    def seen(self, with_log_index: bool = True) -> SeenUpgrade:
        return SeenUpgrade(self.proxy, _impl(self.implementation, self.block), self.tx, self.block,
                           self.log_index if with_log_index else None)


@st.composite
def chains(draw) -> list[ChainEvent]:
    """Upgrades of the three proxies, in chain order, each to code the proxy does not run."""
    events, current, block = [], dict.fromkeys(PROXIES, 0), 2
    for _ in range(draw(st.integers(1, 7))):
        block += draw(st.integers(0, 2))
        proxy = draw(st.sampled_from(PROXIES))
        impl = draw(st.integers(1, 4).filter(lambda n, was=current[proxy]: n != was))
        current[proxy] = impl
        same_block = [e for e in events if e.block == block]
        events.append(ChainEvent(proxy, impl, block, len(same_block)))
    return events


@dataclass
class Writer:
    kind: str  # import | execute | sync | watch
    target: int  # execute: the event it sent; sync/watch: the head it reads up to (events[:target])
    log_index: bool = True  # execute: whether it could read the log index (older runs could not)
    from_block: int | None = None  # sync: --from-block (default: the manifest's last recorded block)
    view: Manifest | None = None
    written: tuple[str, ...] = ()
    reported: tuple[str, ...] = ()
    refused: bool = False

    def look(self, store: ManifestStore) -> None:
        if self.kind in ("execute", "sync") and store.exists():
            self.view = store.load(CHAIN_ID)  # what it knows before it takes the lock

    def write(self, store: ManifestStore, events: list[ChainEvent], folder: Path) -> None:
        if self.kind == "import":
            try:
                store.create(_manifest())
            except InputError:
                self.refused = True
            return
        if self.kind == "watch":
            found = [_Finding(f"upgrade:{e.tx}:{e.log_index}") for e in events[: self.target]]
            _, new = cursor.commit(store, folder / "watch.json", found, self.target, None, "local", CHAIN_ID)
            self.reported = tuple(f.key for f in new)
            return
        if self.view is None:
            return  # nothing imported yet when it looked: the command says so and writes nothing
        if self.kind == "execute":
            seen = [events[self.target].seen(self.log_index)]
        else:  # sync: from the last block its (stale) manifest records, up to its head
            start = last_recorded_block(self.view) if self.from_block is None else self.from_block
            seen = [e.seen() for e in events[: self.target] if e.block >= start]
        _, written = record(store, CHAIN_ID, seen)
        self.written = tuple(s.tx for s in written)


@dataclass(frozen=True)
class _Finding:
    key: str
    kind: str = "unplanned-upgrade"


@st.composite
def runs(draw):
    events = draw(chains())
    n = len(events)
    writers = [Writer("import", 0) for _ in range(draw(st.integers(1, 2)))]
    # an execute of an older version recorded no log index: its entry has a place only when its block has one event
    alone = {e.block for e in events if sum(o.block == e.block for o in events) == 1}
    writers += [Writer("execute", i, events[i].block not in alone or draw(st.booleans()))
                for i in draw(st.lists(st.integers(0, n - 1), max_size=4))]
    writers += [Writer("sync", draw(st.integers(0, n))) for _ in range(draw(st.integers(0, 3)))]
    writers += [Writer("watch", draw(st.integers(0, n))) for _ in range(draw(st.integers(0, 3)))]
    # a schedule: each writer looks, then writes; writes side by side in one step run in threads at once
    steps: list[tuple[str, list[int]]] = []
    pending = list(range(len(writers)))
    looked: list[int] = []
    while pending or looked:
        can_write = bool(looked)
        if pending and (not can_write or draw(st.booleans())):
            w = pending.pop(draw(st.integers(0, len(pending) - 1)))
            steps.append(("look", [w]))
            looked.append(w)
        else:
            together = draw(st.lists(st.sampled_from(looked), min_size=1, max_size=len(looked), unique=True))
            steps.append(("write", together))
            looked = [w for w in looked if w not in together]
    return events, writers, steps


def _run(store: ManifestStore, events: list[ChainEvent], writers: list[Writer], steps, folder: Path) -> None:
    for what, ids in steps:
        if what == "look":
            writers[ids[0]].look(store)
            continue
        errors: list[BaseException] = []
        start = threading.Barrier(len(ids))

        def go(w: Writer) -> None:
            try:
                start.wait()
                w.write(store, events, folder)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
                errors.append(exc)

        threads = [threading.Thread(target=go, args=(writers[i],)) for i in ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]


@settings(max_examples=200, database=None)
@given(runs())
def test_every_event_is_recorded_exactly_once_whatever_the_interleaving(run) -> None:
    events, writers, steps = run
    with tempfile.TemporaryDirectory() as tmp:
        store = ManifestStore(Path(tmp), "local")
        _run(store, events, writers, steps, store.folder)
        # the next `sync --from-block 0` (what `status --check` would want in sync) finds what is left
        final = Writer("sync", len(events), from_block=0)
        final.look(store)
        final.write(store, events, store.folder)
        manifest = store.load(CHAIN_ID)
        watch_state = cursor.load(store.folder / "watch.json", CHAIN_ID) if (store.folder / "watch.json").exists() else None

    assert sum(not w.refused for w in writers if w.kind == "import") == 1, "one import created the manifest"
    recorded = [(p.name, e.tx, e.log_index) for p in manifest.proxies for e in p.history]
    assert len(recorded) == len(set((tx for _, tx, _ in recorded))), f"an event is recorded twice: {recorded}"
    assert {tx for _, tx, _ in recorded} == {e.tx for e in events}, "an event is missing"
    written = [tx for w in [*writers, final] for tx in w.written]
    assert sorted(written) == sorted(e.tx for e in events), "an event was written by two writers (or none)"
    for p in manifest.proxies:
        mine = [e for e in events if e.proxy == p.name]
        assert [e.tx for e in p.history] == [e.tx for e in mine], "history is not in chain order"
        chain = [_impl(0).address, *(_impl(e.implementation).address for e in mine)]
        assert [(e.from_implementation, e.to_implementation) for e in p.history] == list(zip(chain, chain[1:]))
        assert p.implementation.address == chain[-1]
    reported = [k for w in writers for k in w.reported]
    assert len(reported) == len(set(reported)), f"a finding was reported twice: {reported}"
    heads = [w.target for w in writers if w.kind == "watch"]
    if heads:
        assert set(reported) == {f"upgrade:{e.tx}:{e.log_index}" for e in events[: max(heads)]}
        assert watch_state is not None and watch_state.last_block == max(heads), "the watch cursor moved back"
