"""Findings from the chain: proxy upgrades (ERC-1967 events, read with the one paged reader
``chain.events`` that ``sync`` uses) that no executed plan explains, and Safe settings that
changed since last seen (read from storage, so a swapped singleton cannot hide it)."""

from __future__ import annotations

from typing import Any

from upgrader.adopt.creation import construction_events
from upgrader.chain.events import ADMIN_CHANGED, BEACON_UPGRADED, EXECUTION_SUCCESS, UPGRADED, read_events
from upgrader.stages.review.config_watch import safe_settings
from upgrader.stages.watch.kinds import WatchFinding


def upgrade_findings(ctx: Any, manifest: Any, start: int, end: int) -> list[WatchFinding]:
    from upgrader.sim.safe_exec import safe_contract
    from upgrader.stages.sync import plans_by_safe_tx_hash

    if start > end:
        return []
    by_address = {p.address.lower(): p for p in manifest.proxies}
    by_address.update({p.beacon.lower(): p for p in manifest.proxies if getattr(p, "beacon", None)})
    safe = manifest.safe.address
    events = list(read_events(ctx.w3, [*by_address, safe], [UPGRADED, ADMIN_CHANGED, BEACON_UPGRADED, EXECUTION_SUCCESS], start, end))
    executed = {ev.tx: ev.safe_tx_hash() for ev in events if ev.address.lower() == safe.lower() and ev.name == "ExecutionSuccess"}
    plans: dict[str, dict[str, Any]] = {}
    if executed:
        nonce = safe_contract(ctx.w3, safe).functions.nonce().call()
        plans = plans_by_safe_tx_hash(ctx, set(executed.values()), nonce)
    from upgrader.governance.track import executed_operations

    through_timelock = executed_operations(ctx, manifest, start, end)  # tx -> the plan whose Timelock operation it ran
    recorded_txs = {h.tx.lower() for p in manifest.proxies for h in p.history}
    constructed = construction_events(ctx.w3, manifest)
    out = []
    for ev in events:
        record = by_address.get(ev.address.lower())
        if record is None or ev.name not in ("Upgraded", "AdminChanged", "BeaconUpgraded"):
            continue
        new = ev.address_arg()
        plan = plans.get(executed.get(ev.tx, "")) or through_timelock.get(ev.tx)
        planned = plan is not None and any(u["proxy"] == record.name and u["to"]["implementation"].lower() == new.lower()
                                           for u in plan["upgrades"]) and ev.name == "Upgraded"
        if planned or (ev.name == "Upgraded" and ev.tx.lower() in recorded_txs) or constructed(ev):
            continue
        what = {"Upgraded": "implementation", "AdminChanged": "admin", "BeaconUpgraded": "beacon"}[ev.name]
        via = f"Safe transaction {executed[ev.tx]}" if ev.tx in executed else "a transaction not from the Safe"
        details = {"proxy": record.name, "address": ev.address, "setting": what, "new": new, "tx": ev.tx, "block": ev.block,
                   "safe_tx_hash": executed.get(ev.tx)}
        probed = _probes(ctx, record, new) if what == "implementation" else None
        said = ""
        if probed is not None:
            details["probes"] = probed
            said = "; probes: " + "; ".join(probed["problems"] or probed["notes"][:1])
        out.append(WatchFinding("unplanned-upgrade", f"event:{ev.tx}:{ev.log_index}",
                           f"{record.name} ({ev.address}) {what} changed to {new} in tx {ev.tx} (block {ev.block}, {via}); no executed plan explains it{said}",
                           details))
    return out


def _probes(ctx: Any, record: Any, impl: str) -> dict[str, Any] | None:
    """Issue 24's probes of an implementation that changed outside a plan (``sim.probes.live``),
    on the chain as it is now; None when the implementation no longer answers (a later upgrade)."""
    from upgrader.sim.probes.live import probe_implementation

    try:
        return probe_implementation(ctx.w3, ctx.build_info, record, impl)
    except (ConnectionError, TimeoutError):
        raise
    except Exception as exc:  # an RPC that refuses eth_call from an unfunded address: say so, keep watching
        return {"built": None, "ok": False, "problems": [f"probes could not run: {type(exc).__name__}: {str(exc)[:120]}"], "notes": []}


def baseline(manifest: Any, now: dict[str, Any]) -> dict[str, Any]:
    """What the Safe's settings were before the first scan: the manifest's owners and threshold,
    the rest as first read (the manifest does not record them)."""
    base = dict(now)
    base["owners"] = sorted(manifest.safe.owners, key=str.lower)
    base["threshold"] = manifest.safe.threshold
    if getattr(manifest.safe, "singleton", None):
        base["singleton"] = manifest.safe.singleton
    return base


def safe_findings(w3: Any, manifest: Any, last: dict[str, Any] | None, block: int) -> tuple[list[WatchFinding], dict[str, Any]]:
    now = safe_settings(w3, manifest.safe.address)
    now["owners"] = sorted(now["owners"], key=str.lower)
    before = last if last is not None else baseline(manifest, now)
    out = []
    for key, value in now.items():
        old = before.get(key)
        if old is not None and _norm(old) != _norm(value):
            out.append(WatchFinding("safe-settings-changed", f"safe:{key}:{block}:{_norm(value)}",
                               f"the Safe {manifest.safe.address} {key} changed: {_show(old)} -> {_show(value)} (seen at block {block})",
                               {"safe": manifest.safe.address, "setting": key, "before": old, "after": value, "block": block}))
    return out, now


def _norm(value: Any) -> str:
    return ",".join(sorted(v.lower() for v in value)) if isinstance(value, list) else str(value).lower()


def _show(value: Any) -> str:
    return "[" + ", ".join(value) + "]" if isinstance(value, list) else str(value)
