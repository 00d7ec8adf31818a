"""`upgrader sync`: bring the manifest up to what the chain did since the last recorded block.
A proxy whose implementation on chain is not the one the manifest ends with after that window
is read again from its own deploy block: its upgrade was older than the cursor (recorded later
for another proxy, or ``--from-block`` past it) and is recorded after the one the manifest holds.

Reads (paged, ``chain.events``) each proxy's (and beacon's) ``Upgraded`` / ``AdminChanged`` /
``BeaconUpgraded`` and the Safe's ``ExecutionSuccess`` / ``ExecutionFailure``; an upgrade
in a Safe execution whose safeTxHash one of our plans makes is recorded as that plan's; any
other is recorded as done outside upgrader, with the build contract whose code matches the
new implementation, or ``unknown code``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from upgrader.build import artifacts
from upgrader.chain.events import (ADMIN_CHANGED, BEACON_UPGRADED, EXECUTION_FAILURE, EXECUTION_SUCCESS, UPGRADED,
                                   Event, read_events)
from upgrader.chain.rpc import code_at
from upgrader.manifest import Implementation, Manifest
from upgrader.manifest.layout import layout_snapshot
from upgrader.proxies import kind_of
from upgrader.stages.context import NetworkContext

if TYPE_CHECKING:
    from upgrader.manifest.history import SeenUpgrade

UNKNOWN_CODE = "unknown code"
NONCE_WINDOW = 256  # how far back a plan's batch is tried against an executed safeTxHash


def last_recorded_block(manifest: Manifest) -> int:
    blocks = [b for p in manifest.proxies for b in (p.deploy_block, p.implementation.block, *(e.block for e in p.history))
              if b is not None]
    return max(blocks, default=0)


@dataclass(frozen=True)
class Recorded:
    proxy: str
    implementation: str
    contract: str
    origin: str  # "upgrader" (a plan's Safe transaction) | "outside"
    tx: str
    block: int
    safe_tx_hash: str | None
    plan_hash: str | None
    log_index: int | None = None


@dataclass(frozen=True)
class SafeExecution:
    safe_tx_hash: str
    ok: bool
    tx: str
    block: int
    plan_hash: str | None


@dataclass
class SyncReport:
    network: str
    from_block: int
    to_block: int
    recorded: list[Recorded] = field(default_factory=list)
    executions: list[SafeExecution] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)  # proxies whose chain implementation no event explains

    def to_json(self) -> dict[str, Any]:
        return {"network": self.network, "from_block": self.from_block, "to_block": self.to_block,
                "recorded": [asdict(r) for r in self.recorded], "safe_executions": [asdict(e) for e in self.executions],
                "notes": self.notes, "unexplained": self.unexplained}


def matching_contract(ctx: NetworkContext, code: bytes) -> str:
    """The build contract whose runtime code (metadata stripped, immutables zeroed) is ``code``."""
    for art in artifacts.all_artifacts(ctx.build_info):
        if art.runtime and artifacts.code_hash(code, art.immutable_ranges) == art.code_hash:
            return art.fqn
    return UNKNOWN_CODE


def plans_by_safe_tx_hash(ctx: NetworkContext, wanted: set[str], safe_nonce: int) -> dict[str, dict[str, Any]]:
    """Which of our plans made each executed safeTxHash (tried at the nonces the Safe has used)."""
    from upgrader.stages.batch import plan_safe_tx
    from upgrader.stages.planfile import network_plans
    from upgrader.safe.tx import SafeDomain, safe_tx_hash

    found: dict[str, dict[str, Any]] = {}
    if not wanted:
        return found
    from upgrader.governance.legs import safe_legs  # a Timelock's execute leg may be a Safe transaction too

    for plan in (leg for p in network_plans(ctx.plans_dir, ctx.network.name, ctx.chain_id) for leg in safe_legs(p)):
        domain = SafeDomain(ctx.chain_id, plan["safe"]["address"], plan["safe"]["version"])
        for n in range(max(0, safe_nonce - NONCE_WINDOW), safe_nonce):
            h = "0x" + safe_tx_hash(plan_safe_tx(plan, n), domain).hex()
            if h in wanted:
                found[h] = plan
    return found


def sync(ctx: NetworkContext, from_block: int | None = None) -> SyncReport:
    from upgrader.sim.safe_exec import safe_contract

    manifest = ctx.manifest()
    start = last_recorded_block(manifest) if from_block is None else from_block
    head = int(ctx.w3.eth.block_number)
    report = SyncReport(ctx.network.name, start, head)
    by_address = {p.address.lower(): p for p in manifest.proxies}
    by_address.update({p.beacon.lower(): p for p in manifest.proxies if p.beacon})  # a beacon emits Upgraded itself
    safe = manifest.safe.address
    events = list(read_events(ctx.w3, [*by_address, safe],
                              [UPGRADED, ADMIN_CHANGED, BEACON_UPGRADED, EXECUTION_SUCCESS, EXECUTION_FAILURE], start, head))
    in_tx: dict[str, str] = {}  # tx -> safeTxHash it executed (successfully)
    for ev in events:
        if ev.address.lower() == safe.lower() and ev.name in ("ExecutionSuccess", "ExecutionFailure"):
            h = ev.safe_tx_hash()
            report.executions.append(SafeExecution(h, ev.name == "ExecutionSuccess", ev.tx, ev.block, None))
            if ev.name == "ExecutionSuccess":
                in_tx[ev.tx] = h
    nonce = int(safe_contract(ctx.w3, safe).functions.nonce().call())
    plans = plans_by_safe_tx_hash(ctx, {e.safe_tx_hash for e in report.executions if e.ok}, nonce)
    report.executions = [SafeExecution(e.safe_tx_hash, e.ok, e.tx, e.block, plans[e.safe_tx_hash]["plan_hash"]
                                       if e.safe_tx_hash in plans else None) for e in report.executions]
    from upgrader.governance.track import executed_operations

    through_timelock = executed_operations(ctx, manifest, start, head)  # tx -> the plan whose operation it ran
    known_txs = {e.tx.lower() for p in manifest.proxies for e in p.history}
    current = {p.name: p.implementation.address for p in manifest.proxies}
    from upgrader.adopt.creation import construction_events

    constructed = construction_events(ctx.w3, manifest)  # a window from the deploy block sees the constructor's logs
    for ev in events:
        proxy = by_address.get(ev.address.lower())
        if proxy is None:
            continue
        if ev.name != "Upgraded":
            if constructed(ev):  # e.g. AdminChanged of a Transparent proxy while it is created: not a change
                continue
            report.notes.append(f"{proxy.name}: {ev.name} to {ev.address_arg()} in tx {ev.tx} (block {ev.block}); "
                                "not recorded (the manifest keeps implementations only)")
            continue
        impl = ev.address_arg()
        if ev.tx.lower() in known_txs or impl.lower() == current[proxy.name].lower():
            continue
        report.recorded.append(_recorded(ctx, proxy.name, proxy.address, impl, ev, in_tx.get(ev.tx), plans, through_timelock.get(ev.tx)))
        current[proxy.name] = impl
    for proxy in manifest.proxies:  # a proxy the window leaves unexplained: its upgrade is older than the cursor
        live = kind_of(proxy).implementation(ctx.w3, proxy)
        if live.lower() != current[proxy.name].lower():
            found = _older_upgrades(ctx, manifest, proxy, start, known_txs, nonce)
            report.recorded += found
            report.notes.append(_older_note(proxy, live, start, found))
            if not found or found[-1].implementation.lower() != live.lower():
                report.unexplained.append(proxy.name)
    if report.recorded:  # what was seen above is a hint; what is written is decided under the lock (manifest.history)
        from upgrader.manifest.history import record

        by_key = {(r.tx, r.log_index): r for r in report.recorded}
        _, written = record(ctx.store, ctx.chain_id, [_seen(ctx, r) for r in report.recorded])
        report.recorded = [by_key[(s.tx, s.log_index)] for s in written]
    _mark_execution_records(ctx, report.executions)
    return report


def _older_upgrades(ctx: NetworkContext, manifest: Manifest, proxy: Any, start: int, known_txs: set[str],
                    nonce: int) -> list[Recorded]:
    """The upgrades of ``proxy`` between its deploy block and ``start`` that follow the one the
    manifest records (the last ``Upgraded`` to its implementation, or a recorded transaction):
    what a cursor past them missed (another proxy recorded later, ``--from-block``). Without
    that anchor the order is unknown and nothing is recorded (the note says so)."""
    first = proxy.deploy_block or 0
    if first >= start:
        return []
    addresses = [proxy.address, *([proxy.beacon] if proxy.beacon else [])]
    upgraded = [e for e in read_events(ctx.w3, addresses, [UPGRADED], first, start - 1) if e.name == "Upgraded"]
    anchors = [i for i, e in enumerate(upgraded)
               if e.tx.lower() in known_txs or e.address_arg().lower() == proxy.implementation.address.lower()]
    if not anchors:
        return []
    later = upgraded[anchors[-1] + 1:]
    in_tx: dict[str, str] = {}
    for block in sorted({e.block for e in later}):  # the Safe executions those upgrades were part of
        for ev in read_events(ctx.w3, [manifest.safe.address], [EXECUTION_SUCCESS], block, block):
            in_tx[ev.tx] = ev.safe_tx_hash()
    plans = plans_by_safe_tx_hash(ctx, set(in_tx.values()), nonce)
    from upgrader.governance.track import executed_operations

    out = []
    for ev in later:
        timelock = executed_operations(ctx, manifest, ev.block, ev.block).get(ev.tx)
        out.append(_recorded(ctx, proxy.name, proxy.address, ev.address_arg(), ev, in_tx.get(ev.tx), plans, timelock))
    return out


def _older_note(proxy: Any, live: str, start: int, found: list[Recorded]) -> str:
    if found and found[-1].implementation.lower() == live.lower():
        return (f"{proxy.name}: upgraded to {live} before block {start} (the last recorded block) in tx {found[-1].tx} "
                f"(block {found[-1].block}); found from its deploy block {proxy.deploy_block or 0}")
    return (f"{proxy.name}: the chain points to {live}, the manifest records {proxy.implementation.address}, and no "
            f"Upgraded event after the recorded one explains it between its deploy block {proxy.deploy_block or 0} and "
            "the head; nothing recorded for it (`upgrader status` shows the drift)")


def _recorded(ctx: NetworkContext, name: str, proxy: str, impl: str, ev: Event, h: str | None,
              plans: dict[str, dict[str, Any]], timelock_plan: dict[str, Any] | None = None) -> Recorded:
    plan = (plans.get(h) if h else None) or timelock_plan
    planned = next((u for u in (plan or {}).get("upgrades", []) if u["proxy"] == name
                    and u["to"]["implementation"].lower() == impl.lower()), None)
    if planned is not None:
        return Recorded(name, impl, planned["to"]["contract"], "upgrader", ev.tx, ev.block, h, plan["plan_hash"], ev.log_index)
    return Recorded(name, impl, matching_contract(ctx, code_at(ctx.w3, impl)), "outside", ev.tx, ev.block, h, None, ev.log_index)


def _seen(ctx: NetworkContext, r: Recorded) -> "SeenUpgrade":
    from upgrader.manifest.history import SeenUpgrade

    code = code_at(ctx.w3, r.implementation)
    known = r.contract != UNKNOWN_CODE
    ranges = artifacts.find(ctx.build_info, r.contract).immutable_ranges if known else ()
    impl = Implementation(address=r.implementation, contract=r.contract, code_hash=artifacts.code_hash(code, ranges),
                          storage_layout=layout_snapshot(ctx.build_info, r.contract) if known else {},
                          deploy_tx=None, block=r.block)
    return SeenUpgrade(r.proxy, impl, r.tx, r.block, r.log_index, r.plan_hash, r.safe_tx_hash,
                       "upgrader" if r.origin == "upgrader" else "outside")


def _mark_execution_records(ctx: NetworkContext, executions: list[SafeExecution]) -> None:
    from upgrader.stages.execute.from_account import load_record, save_record

    for e in executions:
        record = load_record(ctx, e.safe_tx_hash)
        if record is not None and record.get("state") != "included":
            record.update(tx=e.tx, block=e.block, state="included" if e.ok else "failed")
            save_record(ctx, record)
