"""`upgrader review --simulate`: fork the chain, execute the exact SafeTx through the real Safe,
and show what it changes (storage, balances, events, Safe settings, proxies) before anyone signs.

    sim = simulate_review(report, ctx, fork_url, block=None, root=project_root)
    sim.to_json(), sim.warnings  # ReviewWarnings joining the review's own

The fork run itself is ``sim/`` (``runner``: execTransaction, nested approvals; ``reasons``,
``slots``, ``diff``); ``review.config_watch`` reads the Safe and proxy settings before and after;
``governed`` runs what a Timelock runs later; ``render`` shows the result to people."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_utils import to_checksum_address

from upgrader.errors import InputError
from upgrader.stages.review.rules import ReviewWarning
from upgrader.stages.review import config_watch
from upgrader.sim import diff, probes
from upgrader.sim import reasons
from upgrader.sim.runner import Execution, run_safe_tx
from upgrader.proxies import kind_of

__all__ = ["SimulationResult", "simulate_review"]

# what to do where a review --simulate had no plan to judge the batch by (the CLI's --plan)
NO_PLAN = "make one with `upgrader plan` (or pass --plan FILE), then review again"


@dataclass
class SimulationResult:
    fork_block: int
    execution: Execution
    storage: list[dict[str, Any]] = field(default_factory=list)
    eth: list[dict[str, Any]] = field(default_factory=list)
    erc20: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    safe_changes: list[dict[str, Any]] = field(default_factory=list)
    proxy_changes: list[dict[str, Any]] = field(default_factory=list)
    state_writes: list[dict[str, Any]] = field(default_factory=list)  # writes to upgraded proxies' storage, judged
    implementations: list[dict[str, Any]] = field(default_factory=list)  # each new implementation: lock probe, code
    probes: list[dict[str, Any]] = field(default_factory=list)  # issue 24's pre-sign probes (sim.probes), each judged
    timings_ms: dict[str, int] = field(default_factory=dict)
    planned: bool = False
    at_eta: "SimulationResult | None" = None  # the operation this batch schedules, run at its ETA (review.simulate.governed)
    later_checks: list[dict[str, Any]] = field(default_factory=list)  # scheduled, not before its time, ready, executed
    signing_safes: list[dict[str, Any]] = field(default_factory=list)  # each Safe that signs, its hashes (review.signing_safes)

    @property
    def warnings(self) -> list[ReviewWarning]:
        run = self.execution
        out = []
        if not run.ok:
            out.append(ReviewWarning("simulation-reverted", f"the transaction fails when executed on a fork of block {self.fork_block}: {run.revert}"))
        for c in self.safe_changes:
            out.append(ReviewWarning("safe-config-changed", f"executing it changes the Safe's {c['setting']}: {_show(c['before'])} -> {_show(c['after'])}"))
        for c in self.proxy_changes:
            if not c["explained_by_plan"]:
                why = "and its plan does not explain it" if self.planned else f"and no plan explains it: {NO_PLAN}"
                out.append(ReviewWarning("proxy-changed-unplanned", (
                    f"executing it changes the {c['setting']} of proxy {c['proxy']} ({c['address']}): {c['before']} -> {c['after']}, "
                    + why)))
        for i in self.implementations:
            if not i["locked"]["ok"]:
                out.append(ReviewWarning("implementation-initializable", f"proxy {i['proxy']}'s new implementation {i['address']}: {i['locked']['detail']}"))
            elif i["locked"].get("accepted"):
                out.append(ReviewWarning("implementation-initializable-accepted", f"proxy {i['proxy']}'s new implementation {i['address']}: {i['locked']['detail']}"))
            if i["code"] is not None and not i["code"]["ok"]:
                out.append(ReviewWarning("implementation-code-differs", f"proxy {i['proxy']}'s new implementation {i['address']}: code {i['code']['detail']}"))
        for w in self.state_writes:
            if w["verdict"] == "undeclared":
                what = w["name"] or f"slot {w['slot']}"
                why = "no reinitializer `changes` of the plan declares it" if self.planned else f"no plan declares it: {NO_PLAN}"
                out.append(ReviewWarning("undeclared-state-change", (
                    f"executing it changes {w['variable'] or 'existing state'} of proxy {w['proxy']} ({what}: "
                    f"{w['before']} -> {w['after']}), and {why}")))
        for f in self.probes:
            if not f["ok"]:
                out.append(ReviewWarning(f["kind"], (f"proxy {f['proxy']}: " if f["proxy"] else "") + f["detail"]))
        if self.at_eta is not None:
            out += [ReviewWarning(w.kind, f"at its ETA, the operation this batch schedules: {w.message}") for w in self.at_eta.warnings]
        return out

    def to_json(self) -> dict[str, Any]:
        return {"fork_block": self.fork_block, "execution": self.execution.to_json(), "storage": self.storage,
                "eth_balances": self.eth, "erc20_balances": self.erc20, "events": self.events,
                "safe_changes": self.safe_changes, "proxy_changes": self.proxy_changes, "state_writes": self.state_writes,
                "implementations": self.implementations, "probes": self.probes, "timings_ms": self.timings_ms,
                "at_eta": self.at_eta.to_json() if self.at_eta is not None else None, "later_checks": self.later_checks,
                "signing_safes": self.signing_safes}


def _show(value: Any) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value)


def simulate_review(report: Any, ctx: Any, fork_url: str, block: int | None = None, root: Path | None = None) -> SimulationResult:
    """Fork ``fork_url`` at ``block`` (latest if None) and run the reviewed SafeTx there."""
    from upgrader.chain import anvil
    from upgrader.chain.rpc import connect
    from upgrader.stages.review.decode import AddressBook, artifacts_of
    from upgrader.stages.review.report import constructed_of

    if report.hashes is None:
        raise InputError("--simulate needs the Safe nonce: the file states none, pass --nonce")
    subject, tx = report.subject, report.tx
    artifacts = artifacts_of(ctx.build_info)
    reasons.errors_from([a.abi for a in artifacts])
    know = diff.Knowledge(artifacts, AddressBook(ctx.manifest, artifacts, subject.safe, constructed_of(ctx)), ctx.manifest, ctx.build_info)
    t = time.monotonic()
    with anvil.fork(fork_url, block, root=root) as node:
        w3 = connect(node.url)
        timings = {"fork_start": _ms(t)}
        if w3.eth.chain_id != subject.chain_id:
            raise InputError(f"the fork is of chain {w3.eth.chain_id}, the transaction is for chain {subject.chain_id}; use the right --network or --fork-url")
        safe = to_checksum_address(subject.safe)
        if not bytes(w3.eth.get_code(safe)):
            raise InputError(f"no Safe at {safe} on the forked chain {subject.chain_id}; use the right --network or --fork-url")
        fork_block = int(w3.eth.block_number)
        from upgrader.sim.runner import pin_clock

        pin_clock(w3)  # timestamps from the forked block: two signers at one block get the same document
        t = time.monotonic()
        safe_before, proxies_before = config_watch.safe_settings(w3, safe), config_watch.proxy_settings(w3, ctx.manifest)
        from upgrader.stages.review.signing_safes import signing_safes

        signers = signing_safes(w3, safe, tx)  # read before the run moves the owner Safes' nonces
        probed = probes.read_before(w3, ctx.manifest, ctx.build_info)
        run = run_safe_tx(w3, safe, tx)
        timings["execute"] = _ms(t)
        result = SimulationResult(fork_block=fork_block, execution=run, timings_ms=timings, signing_safes=signers)
        if run.tx_hash is None:
            return result
        t = time.monotonic()
        _judge(w3, result, know, safe, ctx, safe_before, proxies_before, probed)
        timings["describe"] = _ms(t)
        from upgrader.stages.review.simulate.governed import run_at_eta  # what a Timelock runs later, at its ETA

        probed = probes.read_before(w3, ctx.manifest, ctx.build_info)  # before what runs at the ETA
        later = run_at_eta(w3, report.root, ctx.manifest, safe) if run.ok else None
        if later is not None:
            execution, result.later_checks = later
            result.at_eta = SimulationResult(fork_block=fork_block, execution=execution)
            if execution.tx_hash is not None:
                _judge(w3, result.at_eta, know, safe, ctx, config_watch.safe_settings(w3, safe), proxies_before, probed)
    return result


def _judge(w3: Any, result: SimulationResult, know: diff.Knowledge, safe: str, ctx: Any, safe_before: Any, proxies_before: Any,
           probed: probes.Before) -> None:
    """The decoded state diff of ``result``'s transaction and what it changes, judged."""
    changed_storage = _describe(w3, result, know, safe, ctx)
    result.safe_changes = config_watch.changes(safe_before, config_watch.safe_settings(w3, safe))
    recorded = config_watch.proxy_changes(proxies_before, config_watch.proxy_settings(w3, ctx.manifest), ctx.plan)
    addresses = {c["address"].lower() for c in recorded} | {p["address"].lower() for p in proxies_before.values()}
    result.proxy_changes = recorded + config_watch.unrecorded_proxy_changes(result.storage, addresses)
    result.planned = ctx.plan is not None
    result.state_writes = upgrade_writes(w3, result, ctx, know, *changed_storage)
    result.implementations = implementation_probes(w3, result, ctx, know)
    result.probes = presign_probes(w3, result, ctx, know, probed)


def presign_probes(w3: Any, result: SimulationResult, ctx: Any, know: diff.Knowledge, probed: probes.Before) -> list[dict[str, Any]]:
    """Issue 24's probes after the transaction (``sim.probes``): each proxy it upgrades to a
    build contract, with what the plan's reinitializer declares (nothing without --plan)."""
    if ctx.manifest is None or result.execution.tx_hash is None or not result.execution.ok:
        return []
    planned = {u["proxy"]: u for u in (ctx.plan or {}).get("upgrades", [])}
    upgraded = []
    for c in result.proxy_changes:
        if c["setting"] != "implementation" or c["proxy"] not in {p.name for p in ctx.manifest.proxies}:
            continue
        impl = to_checksum_address(c["after"])
        art = know.book.built.get(impl) or know.artifact_for_code(bytes(w3.eth.get_code(impl)))
        if art is None:
            continue  # not built here: implementation-unknown says so
        init = (planned.get(c["proxy"]) or {}).get("init") or {}
        upgraded.append(probes.Upgraded(ctx.manifest.proxy(c["proxy"]), art.fqn, art.abi,
                                        frozenset(init.get("skips") or ()), frozenset(init.get("unset") or ())))
    found = probes.run(w3, ctx.manifest, upgraded, probed, [result.execution.tx_hash], ctx.build_info)
    return [f.to_json() for f in found]


def _describe(w3: Any, result: SimulationResult, know: diff.Knowledge, safe: str, ctx: Any) -> tuple[dict[str, Any], Any]:
    receipt = w3.eth.get_transaction_receipt(result.execution.tx_hash)
    logs = list(receipt["logs"])
    changed = diff.prestate_diff(w3, result.execution.tx_hash)
    extra = [safe, result.execution.safe_tx_hash]
    if ctx.manifest is not None:
        extra += [ctx.manifest.safe.address, *ctx.manifest.safe.owners, *(p.address for p in ctx.manifest.proxies)]
    keys = diff.key_candidates(changed, logs, extra)
    safes = {safe} | {a for a, e in changed.items() if e["storage"] and a != safe and _answers_safe(w3, a)}
    result.storage = diff.storage_section(w3, changed, know, keys, safes)
    if any(c["name"] is None for e in result.storage for c in e["changes"]):  # keys the code hashed (sim.preimages)
        from upgrader.sim.preimages import mapping_keys, sha3_preimages

        preimages = sha3_preimages(w3, result.execution.tx_hash)
        keys.add(mapping_keys(preimages))
        result.storage = diff.storage_section(w3, changed, know, keys, safes, preimages)
    result.eth = diff.eth_section(changed, know)
    result.erc20 = diff.erc20_section(w3, logs, int(receipt["blockNumber"]), know)
    result.events = diff.events_section(logs, know)
    return changed, keys


def upgrade_writes(w3: Any, result: SimulationResult, ctx: Any, know: diff.Knowledge, changed: dict[str, Any],
                   keys: Any) -> list[dict[str, Any]]:
    """The writes to the storage of each proxy this transaction upgrades, judged by
    ``sim.writes`` against the plan's declared changes (none without --plan)."""
    from upgrader.layout.model import StorageLayout
    from upgrader.stages.plan import gap_takeover_slots
    from upgrader.stages.initializable import INITIALIZABLE_SLOT
    from upgrader.sim.writes import classify

    upgraded = {c["proxy"] for c in result.proxy_changes if c["setting"] == "implementation"}
    planned = {u["proxy"]: u for u in (ctx.plan or {}).get("upgrades", [])}
    out: list[dict[str, Any]] = []
    for record in ctx.manifest.proxies if ctx.manifest is not None else []:
        if record.name not in upgraded:
            continue
        old = StorageLayout.from_json(record.implementation.storage_layout)
        for holder in kind_of(record).storage_holders(record):
            entry = changed.get(to_checksum_address(holder))
            if not entry or not entry["storage"]:
                continue
            new, _ = diff.layout_for(w3, to_checksum_address(holder), know, set())
            u = planned.get(record.name)
            expected = {int(s, 16) for s in u.get("declared_changes", [])} if u else (
                gap_takeover_slots(old, new) if new is not None else set()) | {int(INITIALIZABLE_SLOT, 16)}
            declared = set((u or {}).get("init", {}).get("changes") or ())
            out += [{"proxy": record.name, "holder": holder, **w.to_json()}
                    for w in classify(entry["storage"], old, new, declared, expected, keys)]
    return out


def implementation_probes(w3: Any, result: SimulationResult, ctx: Any, know: diff.Knowledge) -> list[dict[str, Any]]:
    """Each implementation the transaction points a recorded proxy at, once: can a stranger
    initialize it (``sim.locks``), and is its code what the build deploys at that CREATE2
    address with its constructor arguments, immutables included (``sim.code``)."""
    from upgrader.chain import create2
    from upgrader.sim import code, locks
    from upgrader.stages.review.report import allowed_kinds

    out, seen = [], set()
    for c in result.proxy_changes:
        impl = to_checksum_address(c["after"])
        if c["setting"] != "implementation" or impl in seen:
            continue
        seen.add(impl)
        art = know.book.built.get(impl) or know.artifact_for_code(bytes(w3.eth.get_code(impl)))
        if art is None:
            continue  # not built here: the review's implementation-unknown says so
        probe = locks.judged(locks.probe(w3, impl, ctx.build_info, art.fqn, art.abi), ctx.build_info, art.fqn,
                             allowed_kinds(ctx, c["proxy"]))
        initcode = know.book.initcode.get(impl)
        same = code.check(w3, impl, initcode, create2.salt_for(initcode), ctx.build_info, art.immutable_ranges) if initcode else None
        out.append({"proxy": c["proxy"], "address": impl, "contract": art.fqn,
                    "locked": {"ok": probe.ok, "detail": probe.detail, "flavour": probe.flavour, "accepted": probe.accepted},
                    "code": {"ok": same.ok, "detail": same.detail} if same else None})
    return out


def _answers_safe(w3: Any, address: str) -> bool:
    from upgrader.sim.runner import is_safe

    return is_safe(w3, address)


def _ms(t: float) -> int:
    return int((time.monotonic() - t) * 1000)


def fork_source(network: str, fork_url: str | None) -> tuple[str, Path | None]:
    """The URL to fork (``--fork-url``, else the network's first RPC) and the project root."""
    from upgrader import config as project_config

    try:
        cfg = project_config.load()
    except InputError:
        cfg = None
    if fork_url:
        return fork_url, cfg.root if cfg else None
    if cfg is None or network not in cfg.networks:
        raise InputError(f"--simulate needs --fork-url, or a network {network!r} with an rpc in the project's config")
    return cfg.network(network).rpc_urls()[0], cfg.root  # one URL or a list; none is an InputError


def attach_simulation(report: Any, ctx: Any, network: str, fork_url: str | None, block: int | None) -> SimulationResult:
    """Run the simulation for ``report`` and join its data and red warnings to it."""
    url, root = fork_source(network, fork_url)
    result = simulate_review(report, report.context or ctx, url, block, root)  # with the plan the review found
    report.simulation = result.to_json()
    report.warnings.extend(result.warnings)
    return result
