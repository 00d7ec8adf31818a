"""`upgrader simulate`: execute a plan on an Anvil fork exactly as the Safe will, then prove
it did what it says and nothing else to the storage that existed before."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from upgrader.build import artifacts
from upgrader.errors import InputError
from upgrader.chain import anvil
from upgrader.chain import create2
from upgrader.chain.rpc import connect
from upgrader.sim.runner import gas_alone, run_safe_tx
from upgrader.sim.safe_exec import safe_contract
from upgrader.layout.extract import extract_layout
from upgrader.layout.model import StorageLayout
from upgrader.sim import code, diff, locks
from upgrader.sim.writes import StateWrite, classify, summary
from upgrader.manifest import Manifest
from upgrader.manifest.store import atomic_write, canonical_json
from upgrader.stages.batch import plan_safe_tx
from upgrader.stages.context import NetworkContext
from upgrader.stages.planfile import ensure_fresh
from upgrader.stages.plan_settings import ensure_settings
from upgrader.chain.rpcbatch import read_slots
from upgrader.sim.storage import KeyCandidates, LayoutFields
from upgrader.proxies import kind_of, storage_holders

SIM_SCHEMA = "upgrader/simulation@1"
Progress = Callable[[str], None]


@dataclass
class Check:
    name: str
    ok: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass
class SimulationReport:
    plan_hash: str
    checks: list[Check] = field(default_factory=list)
    gas: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, int] = field(default_factory=dict)  # milliseconds per phase
    fork_block: int | None = None
    writes: list[dict[str, Any]] = field(default_factory=list)  # every write to a proxy's storage, decoded and judged

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SIM_SCHEMA, "plan_hash": self.plan_hash, "ok": self.ok,
            "checks": [c.to_json() for c in self.checks], "gas": self.gas,
            "timings_ms": self.timings, "fork_block": self.fork_block, "writes": self.writes,
        }


def simulation_path(plans_dir: Path, plan_hash: str) -> Path:
    return plans_dir / f"{plan_hash}.simulation.json"


def key_candidates(w3: Any, manifest: Manifest) -> KeyCandidates:
    """Mapping keys worth probing: every indexed topic and data word the system's proxies
    ever logged, the addresses it knows, and small integers (ids, enum values)."""
    keys = KeyCandidates()
    keys.add(range(0, 65))
    holders = [a for p in manifest.proxies for a in storage_holders(p)]
    known = [manifest.safe.address, *manifest.safe.owners, *manifest.extras.values(), *holders]
    keys.add(int(a, 16) for a in known if a.startswith("0x"))
    logs = w3.eth.get_logs({"fromBlock": 0, "toBlock": "latest", "address": holders})
    for log in logs:
        keys.add(int.from_bytes(bytes(t), "big") for t in log["topics"][1:])
        data = bytes(log["data"])
        keys.add(int.from_bytes(data[i : i + 32], "big") for i in range(0, len(data) - 31, 32))
    return keys


def _snapshot(url: str, w3: Any, address: str, layout: StorageLayout, keys: KeyCandidates) -> dict[int, tuple[str, int]]:
    reader = lambda slot: int.from_bytes(bytes(w3.eth.get_storage_at(address, slot)), "big")  # noqa: E731
    slots = LayoutFields(layout, keys, read=reader).labels()
    values = read_slots(url, address, sorted(slots))
    return {s: (slots[s], values[s]) for s in slots}


def _preservation(before: dict[int, tuple[str, int]], after: dict[int, int], writes: list[StateWrite], expected: int) -> Check:
    """Every write to existing state is declared (``writes``), and no slot of the old layout
    read before and after changed without the batch's trace showing the write."""
    traced = {w.slot for w in writes}
    unexplained = [(s, label) for s, (label, value) in before.items() if after.get(s) != value and s not in traced]
    bad = [w for w in writes if not w.ok]
    if bad or unexplained:
        detail = summary(writes) if bad else f"{len(unexplained)} slot(s) of the old layout changed: "
        if unexplained:
            detail += ("; and " if bad else "") + ", ".join(f"{label} (slot {s:#x})" for s, label in unexplained[:5]) + " (not in the trace)"
        return Check("storage-preservation", False, detail)
    return Check("storage-preservation", True, f"{len(before)} slots of the old layout unchanged or declared "
                 f"({expected} slot(s) the upgrade itself changes); {summary(writes)}")


def simulate(ctx: NetworkContext, plan: dict[str, Any], fork_url: str | None = None, fork_block: int | None = None,
             progress: Progress = lambda _: None) -> SimulationReport:
    manifest = ctx.manifest_with_safe()
    ensure_fresh(plan, manifest)
    ensure_settings(ctx, plan)
    report = SimulationReport(plan_hash=plan["plan_hash"])
    t = time.monotonic()
    targets = {u["proxy"]: artifacts.find(ctx.build_info, u["to"]["contract"]) for u in plan["upgrades"]}
    report.timings["build"] = int((time.monotonic() - t) * 1000)
    progress("starting the Anvil fork")
    t = time.monotonic()
    with anvil.fork(fork_url or ctx.fork_url, fork_block, root=ctx.config.root) as node:
        w3 = connect(node.url, call_timeout_s=60.0)  # a fork fetches state from upstream: slow calls are normal
        report.fork_block = int(w3.eth.block_number)
        report.timings["fork_start"] = int((time.monotonic() - t) * 1000)
        t = time.monotonic()
        progress("reading the storage of the old layouts")
        keys = key_candidates(w3, manifest)
        before = {
            (u["proxy"], holder): _snapshot(node.url, w3, holder, StorageLayout.from_json(manifest.proxy(u["proxy"]).implementation.storage_layout), keys)
            for u in plan["upgrades"] for holder in storage_holders(manifest.proxy(u["proxy"]))
        }
        from upgrader.sim import probes

        probed = probes.read_before(w3, manifest, ctx.build_info)  # versions and owners, for the probes
        report.timings["read_before"] = int((time.monotonic() - t) * 1000)
        t = time.monotonic()
        progress("executing through the Safe's execTransaction")
        safe = plan["safe"]["address"]
        report.gas = gas_alone(w3, safe, plan["calls"])
        nonce = safe_contract(w3, safe).functions.nonce().call()
        owners = plan["safe"]["owners"][: plan["safe"]["threshold"]]  # the owners and threshold the plan was made for
        try:
            tx = plan_safe_tx(plan, nonce)
        except ValueError as exc:  # a plan of several calls and no MultiSendCallOnly recorded
            raise InputError(f"{exc}: re-run `upgrader import` with --multisend ADDRESS, then `upgrader plan`") from None
        run = run_safe_tx(w3, safe, tx, owners=owners)
        if not run.ok:
            report.checks.append(Check("safe-execution", False, f"Safe transaction {run.safe_tx_hash} failed: {run.revert}"))
            return report
        report.gas.append({"description": "Safe execTransaction (whole batch)", "gas": run.gas_used})
        report.checks.append(Check("safe-execution", True, f"execTransaction succeeded with {len(run.owners)} owner approvals"))
        from upgrader.governance.simulate import run_later_legs  # a Timelock's or Governor's legs: warp, vote, queue, execute

        legs = run_later_legs(w3, plan, owners)
        report.gas += legs.gas
        report.checks += [Check(name, ok, detail) for name, ok, detail in legs.checks]
        if not legs.ok:
            return report
        report.timings["execute"] = int((time.monotonic() - t) * 1000)
        t = time.monotonic()
        progress("verifying")
        written = _written(w3, run.tx_hash, keys, [safe, run.safe_tx_hash])
        from upgrader.governance.simulate import merge_writes

        for later in legs.txs:  # a Timelock's or Governor's leg made the upgrade itself
            merge_writes(written, _written(w3, later, keys, [safe]))
        for u in plan["upgrades"]:
            report.checks.extend(_verify_upgrade(ctx, w3, node.url, u, manifest.proxy(u["proxy"]), targets[u["proxy"]], before,
                                                 written, keys, report))
        upgraded = [probes.Upgraded(manifest.proxy(u["proxy"]), targets[u["proxy"]].fqn, targets[u["proxy"]].abi,
                                    frozenset(u["init"].get("skips") or ()), frozenset(u["init"].get("unset") or ()))
                    for u in plan["upgrades"]]
        for f in probes.run(w3, manifest, upgraded, probed, [run.tx_hash, *legs.txs], ctx.build_info):
            report.checks.append(Check(f"{f.proxy}: {f.check}" if f.proxy else f.check, f.ok, f.detail))
        report.timings["verify"] = int((time.monotonic() - t) * 1000)
    return report


def _written(w3: Any, tx_hash: str | None, keys: KeyCandidates, extra: list[str]) -> dict[str, dict[int, tuple[int, int]]]:
    """holder -> slot -> (before, after) of every word the batch changed; the mapping keys its
    events and touched addresses name join ``keys``."""
    changed = diff.prestate_diff(w3, tx_hash)
    logs = list(w3.eth.get_transaction_receipt(tx_hash)["logs"])
    keys.add(diff.key_candidates(changed, logs, extra).words)
    return {a.lower(): e["storage"] for a, e in changed.items()}


def _verify_upgrade(ctx: NetworkContext, w3: Any, url: str, u: dict[str, Any], record: Any, target: artifacts.Artifact,
                    before: dict[tuple[str, str], dict[int, tuple[str, int]]], written: dict[str, dict[int, tuple[int, int]]],
                    keys: KeyCandidates, report: SimulationReport) -> list[Check]:
    name, impl = u["proxy"], u["to"]["implementation"]
    checks = []
    kind = kind_of(record)
    on_chain = kind.implementation(w3, record)
    checks.append(Check(f"{name}: implementation-slot", on_chain == impl, f"{kind.label} -> {on_chain}"))
    initcode = target.initcode + bytes.fromhex((u["to"].get("constructor_args") or "0x")[2:])
    salt = bytes.fromhex(u["to"]["create2_salt"][2:]) if u["to"].get("create2_salt") else create2.salt_for(initcode)
    same = code.check(w3, impl, initcode, salt, ctx.build_info, target.immutable_ranges)
    checks.append(Check(f"{name}: runtime-code", same.ok, f"code at {impl} {same.detail}"))
    lock = locks.judged(locks.probe(w3, impl, ctx.build_info, target.fqn, target.abi), ctx.build_info, target.fqn,
                        frozenset(u.get("unsafe_allow") or ()))
    checks.append(Check(f"{name}: implementation-locked", lock.ok, lock.detail))
    expected = {int(s, 16) for s in u.get("declared_changes", [])}
    declared = set(u["init"].get("changes") or ())
    old_layout = StorageLayout.from_json(record.implementation.storage_layout)
    new_layout = extract_layout(ctx.build_info, target.fqn)
    holders = kind.storage_holders(record)
    for holder in holders:
        label = name if len(holders) == 1 else f"{name} {holder}"
        writes = classify(written.get(holder.lower(), {}), old_layout, new_layout, declared, expected, keys)
        report.writes += [{"proxy": name, "holder": holder, **w.to_json()} for w in writes]
        old = before[(name, holder)]
        checks.append(_preservation(old, read_slots(url, holder, sorted(old)), writes, len(expected)))
        checks[-1].name = f"{label}: storage-preservation"
        checks.extend(_smoke(ctx, w3, u, holder, target, label))
    return checks


def _smoke(ctx: NetworkContext, w3: Any, u: dict[str, Any], proxy: str, target: artifacts.Artifact, shown: str | None = None) -> list[Check]:
    """The plan's smoke calls on ``proxy``, each result compared with its ``expect`` by ABI type."""
    from upgrader.stages.smoke import equal_by_abi, smoke_calls

    name = u["proxy"]
    checks = []
    contract = w3.eth.contract(address=proxy, abi=target.abi)
    for call in smoke_calls(u, ctx.config.modules.get(name)):
        fn, args, expect = call["function"], list(call.get("args") or []), call.get("expect")
        label = f"{shown or name}: smoke {fn}({', '.join(map(str, args))})"
        try:
            result = getattr(contract.functions, fn)(*args).call()
        except Exception as exc:  # revert, missing function: the smoke call fails
            checks.append(Check(label, False, f"call failed: {type(exc).__name__}: {str(exc)[:120]}"))
            continue
        ok, why = True, ""
        if expect is not None:
            outputs = next((f.get("outputs", []) for f in target.abi if f.get("type") == "function" and f.get("name") == fn
                            and len(f.get("inputs", [])) == len(args)), [])
            ok, why = equal_by_abi(outputs, result, expect)
        checks.append(Check(label, ok, f"returned {result!r}" + ("" if ok else f", expected {expect!r}" + (f" ({why})" if why else ""))))
    return checks


def write_simulation(ctx: NetworkContext, report: SimulationReport) -> Path:
    path = simulation_path(ctx.plans_dir, report.plan_hash)
    atomic_write(path, canonical_json(report.to_json()) + "\n")
    return path
