"""``deployments/<network>/watch.json``: the last block scanned, the Safe settings last seen and
the keys of findings already reported, so that a restarted ``watch`` neither repeats nor misses
a block range. Written atomically after each scan."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from upgrader.errors import InputError
from upgrader.manifest.store import atomic_write, canonical_json

SCHEMA = "upgrader/watch@1"
KEEP_KEYS = 5000  # newest reported keys kept (event findings are also bounded by the cursor)


@dataclass
class WatchState:
    last_block: int | None = None
    safe: dict[str, Any] | None = None  # settings last seen (owners, threshold, modules, guard, ...)
    reported: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # finding kind -> how many ever reported

    def seen(self, key: str) -> bool:
        return key in self.reported

    def remember(self, key: str, kind: str) -> None:
        self.reported.append(key)
        del self.reported[:-KEEP_KEYS]
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def to_json(self, network: str, chain_id: int) -> dict[str, Any]:
        return {"schema": SCHEMA, "network": network, "chain_id": chain_id, "last_block": self.last_block,
                "safe": self.safe, "reported": self.reported, "counts": self.counts}


def load(path: Path, chain_id: int) -> WatchState:
    if not path.exists():
        return WatchState()
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"{path} is not readable JSON ({type(exc).__name__}); delete it to start watching from the manifest's last block") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or data.get("chain_id") != chain_id:
        raise InputError(f"{path} is not a watch cursor for chain {chain_id}; delete it to start watching from the manifest's last block")
    return WatchState(data.get("last_block"), data.get("safe"), list(data.get("reported") or []), dict(data.get("counts") or {}))


def save(path: Path, state: WatchState, network: str, chain_id: int) -> None:
    atomic_write(path, canonical_json(state.to_json(network, chain_id)) + "\n")


def commit(store: Any, path: Path, found: list[Any], head: int, safe: dict[str, Any] | None, network: str,
           chain_id: int) -> tuple[WatchState, list[Any]]:
    """Record one scan up to ``head`` (manifest.history's rule: decided under the network's lock on
    the cursor as it is then): of ``found`` the findings no watcher reported yet (each ``.key``
    once, whichever watcher is first), the block never moving back, the Safe settings of the
    newest scan. (the cursor written, the findings to report)."""
    with store.locked():
        state = load(path, chain_id)
        new = []
        for f in found:
            if not state.seen(f.key):
                state.remember(f.key, f.kind)
                new.append(f)
        if state.last_block is None or head >= state.last_block:
            state.last_block, state.safe = head, safe
        save(path, state, network, chain_id)
    return state, new
