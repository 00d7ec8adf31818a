"""The one rule for recording what the chain did (issue 22): decide and write inside the
manifest's lock, re-reading the manifest under it, keyed by what makes an event unique.

Every writer of upgrade history (``execute`` after its receipt, ``execute``'s recovery of a
killed run, the Timelock's last leg, ``sync``) hands the upgrades it saw on chain to
:func:`record`. Under the lock the manifest is read again and each upgrade is written only when
no entry of its proxy is the same event: the same transaction and log index (the manifest is
for one chain id, checked on load), or, for an entry that has no log index, the same
transaction to the same implementation. So two writers that saw the same event at the same time
write it once, whichever comes first, and a later one writes nothing (``sync`` during an
``execute`` that waits for its receipt, two ``sync`` at once).

Entries stay in chain order (block, log index); an entry whose implementation does not change
(the proxy's construction event, a re-upgrade to the same code) is never written: history
holds no V2 -> V2.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from upgrader.manifest.model import Implementation, Manifest, ProxyRecord, UpgradeRecord
from upgrader.manifest.store import ManifestStore

__all__ = ["SeenUpgrade", "record", "same_event"]


@dataclass(frozen=True)
class SeenUpgrade:
    """One upgrade of one manifest proxy as the chain shows it (an ``Upgraded`` log)."""

    proxy: str  # the manifest's proxy name
    implementation: Implementation  # what the proxy runs after it
    tx: str
    block: int
    log_index: int | None  # the Upgraded log's index in its block; None when the writer cannot tell
    plan_hash: str | None = None
    safe_tx_hash: str | None = None
    origin: Literal["upgrader", "outside"] = "upgrader"

    @property
    def position(self) -> tuple[int, int]:
        return self.block, self.log_index if self.log_index is not None else 1 << 30


def same_event(entry: UpgradeRecord, seen: SeenUpgrade) -> bool:
    if entry.tx.lower() != seen.tx.lower():
        return False
    if entry.log_index is not None and seen.log_index is not None:
        return entry.log_index == seen.log_index
    return entry.to_implementation.lower() == seen.implementation.address.lower()


def _position(entry: UpgradeRecord) -> tuple[int, int]:
    return entry.block, entry.log_index if entry.log_index is not None else 1 << 30


def _learn_index(proxy: ProxyRecord, seen: SeenUpgrade) -> ProxyRecord:
    """An entry of ``seen``'s event written without its log index (older runs) gets it, so the
    next event of the same block is placed after it."""
    if seen.log_index is None:
        return proxy
    history = [e.model_copy(update={"log_index": seen.log_index}) if e.log_index is None and same_event(e, seen) else e
               for e in proxy.history]
    return proxy if history == list(proxy.history) else proxy.model_copy(update={"history": history})


def _with(proxy: ProxyRecord, seen: SeenUpgrade) -> ProxyRecord | None:
    """``proxy`` with ``seen`` in its history, or None when it holds that event already (or the
    event changes nothing)."""
    history = list(proxy.history)
    if any(same_event(e, seen) for e in history):
        return None
    if proxy.deploy_tx and proxy.deploy_tx.lower() == seen.tx.lower():
        return None  # the proxy's construction: part of the state the record starts from
    if not history and proxy.implementation.block is not None and seen.block < proxy.implementation.block:
        return None  # before the implementation the record starts from (sync --from-block before an import)
    at = sum(1 for e in history if _position(e) <= seen.position)
    before = history[at - 1].to_implementation if at else (history[0].from_implementation if history
                                                            else proxy.implementation.address)
    if before.lower() == seen.implementation.address.lower():
        return None
    entry = UpgradeRecord(from_implementation=before, to_implementation=seen.implementation.address,
                          to_contract=seen.implementation.contract, plan_hash=seen.plan_hash,
                          safe_tx_hash=seen.safe_tx_hash, tx=seen.tx, block=seen.block, origin=seen.origin,
                          log_index=seen.log_index)
    if at < len(history):  # an older event written late: the next entry now starts from it
        history[at] = history[at].model_copy(update={"from_implementation": entry.to_implementation})
        return proxy.model_copy(update={"history": [*history[:at], entry, *history[at:]]})
    return proxy.model_copy(update={"implementation": seen.implementation, "history": [*history, entry]})


def apply(manifest: Manifest, seen: Iterable[SeenUpgrade]) -> tuple[Manifest, list[SeenUpgrade]]:
    """Pure: ``manifest`` with every upgrade of ``seen`` it does not hold yet; and those."""
    proxies = {p.name: p for p in manifest.proxies}
    written = []
    for s in sorted(seen, key=lambda s: s.position):
        if s.proxy not in proxies:
            continue  # removed from the manifest meanwhile: nothing to record it under
        proxies[s.proxy] = _learn_index(proxies[s.proxy], s)
        changed = _with(proxies[s.proxy], s)
        if changed is not None:
            proxies[s.proxy] = changed
            written.append(s)
    return manifest.model_copy(update={"proxies": [proxies[p.name] for p in manifest.proxies]}), written


def record(store: ManifestStore, chain_id: int, seen: Iterable[SeenUpgrade]) -> tuple[Manifest, list[SeenUpgrade]]:
    """Write the upgrades of ``seen`` that the manifest does not hold, deciding under its lock on
    the manifest as it is then; (the manifest after, what this call wrote). Nothing is written
    when every event is recorded already."""
    seen = list(seen)
    with store.locked():
        current = store.load(chain_id)
        new, written = apply(current, seen)
        if new != current:
            store.save(new)
        return new, written
