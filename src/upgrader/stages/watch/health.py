"""Findings about the RPC itself: a head whose block is older than allowed (the node stopped
following the chain), and endpoints of one network that disagree on a block's hash or lag."""

from __future__ import annotations

import time
from typing import Any

from upgrader.stages.watch.kinds import WatchFinding

MAX_ENDPOINT_LAG = 10  # blocks


def head_findings(w3: Any, head: int, max_age_s: float, now: float | None = None) -> list[WatchFinding]:
    block = w3.eth.get_block(head)
    age = (now or time.time()) - int(block["timestamp"])
    if age <= max_age_s:
        return []
    return [WatchFinding("rpc-head-stale", f"stale:{head}",
                    f"the RPC's head block {head} is {int(age)} s old (more than {int(max_age_s)} s): the node may have stopped following the chain",
                    {"head": head, "age_s": int(age)})]


def endpoint_findings(urls: list[str]) -> list[WatchFinding]:
    """Each endpoint's head, and the hash of the lowest head on every endpoint."""
    from upgrader.chain.anvil import rpc_call
    from upgrader.chain.redact import redact

    if len(urls) < 2:
        return []
    heads: dict[str, int] = {}
    for url in urls:
        try:
            heads[url] = int(str(rpc_call(url, "eth_blockNumber", timeout=3.0)), 16)
        except Exception:  # an endpoint down is the pool's business (failover), not a disagreement
            continue
    if len(heads) < 2:
        return []
    common = min(heads.values())
    hashes: dict[str, str] = {}
    for url in heads:
        try:
            hashes[url] = str((rpc_call(url, "eth_getBlockByNumber", [hex(common), False], timeout=3.0) or {}).get("hash"))
        except Exception:
            continue
    shown = {redact(u): h for u, h in heads.items()}
    out = []
    if len(set(hashes.values())) > 1:
        out.append(WatchFinding("rpc-endpoints-disagree", f"fork:{common}:{sorted(hashes.values())}",
                           f"the network's endpoints disagree on block {common}'s hash: {', '.join(f'{redact(u)} {h}' for u, h in hashes.items())}",
                           {"block": common, "heads": shown}))
    elif max(heads.values()) - common > MAX_ENDPOINT_LAG:
        out.append(WatchFinding("rpc-endpoints-disagree", f"lag:{max(heads.values())}",
                           f"the network's endpoints are {max(heads.values()) - common} blocks apart: {', '.join(f'{u} at {h}' for u, h in shown.items())}",
                           {"heads": shown}))
    return out
