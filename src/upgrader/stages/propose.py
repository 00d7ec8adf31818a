"""`upgrader propose`: a simulated plan becomes a signed Safe transaction in the Transaction
Service, plus the files a signer reviews (Transaction Builder batch + review).

Idempotent: a re-run for the same plan finds its queued proposal and neither posts again nor
takes a new nonce; files are written only after the service has accepted the transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from upgrader.build import artifacts
from upgrader.errors import InputError, UnsafeError
from upgrader.manifest.store import atomic_write
from upgrader.stages.batch import plan_safe_tx
from upgrader.stages.context import NetworkContext
from upgrader.stages.planfile import ensure_fresh
from upgrader.stages.sign.signer import Signer, signed
from upgrader.stages.sign.delegates import require_proposer
from upgrader.stages.sign.owners import proposer_note, signing_markdown, signing_section
from upgrader.stages.simulate import simulation_path
from upgrader.safe.abi_values import method_from_abi
from upgrader.safe.multisend import Call
from upgrader.safe_service.client import MultisigTx, TransactionServiceClient
from upgrader.safe.tx import SafeDomain, SafeTx, hashes, typed_data
from upgrader.safe.txbuilder import add_checksum, build_batch_file, dump_batch_file

ORIGIN = "upgrader"


@dataclass(frozen=True)
class ProposalResult:
    safe: str
    safe_tx_hash: str
    nonce: int
    created: bool  # False: the proposal was already in the service
    simulation: str  # "passed" | "skipped" | "failed" (--skip-simulation over this plan's failed simulation)
    proposal_path: Path
    review_path: Path
    service_url: str
    review_ok: bool | None = None  # None: the review was not (re)rendered
    proposed_by: str | None = None  # "proposed by delegate X of owner Y", None when an owner proposed
    proposer: str | None = None  # who proposed it (the service's record when it was already there)
    simulation_failed: tuple[str, ...] = ()  # the failed checks' names when simulation is "failed"

    @property
    def simulation_summary(self) -> str:
        if self.simulation == "failed":
            return f"simulation FAILED ({', '.join(self.simulation_failed)}), proposed anyway with --skip-simulation"
        return f"simulation {self.simulation}"

    def to_json(self) -> dict[str, Any]:
        return {"safe": self.safe, "safe_tx_hash": self.safe_tx_hash, "nonce": self.nonce, "created": self.created,
                "simulation": self.simulation, "proposal": str(self.proposal_path), "review": str(self.review_path),
                "service": self.service_url, "review_ok": self.review_ok, "proposed_by": self.proposed_by,
                "proposer": self.proposer, "simulation_failed_checks": list(self.simulation_failed)}


def service_url(ctx: NetworkContext, override: str | None = None) -> str:
    """The Safe service URL of the network (``pipeline.safe_api``: ``safe_api``, the old
    ``tx_service`` key, or Safe's public default), ``override`` replacing it."""
    from upgrader.stages.safe_api import resolve

    return resolve(ctx.network, ctx.chain_id, override).url


def proposals_dir(ctx: NetworkContext) -> Path:
    return ctx.store.folder / "proposals"


def check_simulation(ctx: NetworkContext, plan: dict[str, Any], skip: bool) -> tuple[str, tuple[str, ...]]:
    """("passed", ()) or, with ``skip``, ("failed", its failed checks) where this plan's simulation
    failed, else ("skipped", ())."""
    if skip:
        found = skipped_simulation(ctx, plan)
        return ("failed", found.failed) if found.state == "failed" else ("skipped", ())
    path = simulation_path(ctx.plans_dir, plan["plan_hash"])
    from upgrader.inputs import read_json
    from upgrader.inputs.pipeline_files import SimulationFile
    from upgrader.inputs.safe_files import validated

    report = read_json(path, "simulation", missing=(
        f"plan {plan['plan_hash']} has no simulation; run `upgrader simulate` on it first "
        "(or --skip-simulation, which proposes an unverified batch)"))
    validated(SimulationFile, report, f"simulation report {path}")
    if report.get("plan_hash") != plan["plan_hash"]:
        raise InputError(f"simulation report {path} is for another plan; re-run `upgrader simulate`")
    if report.get("ok") is not True:
        raise UnsafeError(f"the simulation of plan {plan['plan_hash']} failed; fix the plan, do not propose it")
    return ("passed", ())


@dataclass(frozen=True)
class SkippedSimulation:
    """The plan's simulation report as --skip-simulation finds it."""
    state: str  # "none" | "unreadable" | "other-plan" | "passed" | "failed"
    path: Path
    failed: tuple[str, ...] = ()  # the failed checks' names (state "failed")


def skipped_simulation(ctx: NetworkContext, plan: dict[str, Any]) -> SkippedSimulation:
    from upgrader.inputs import read_json

    path = simulation_path(ctx.plans_dir, plan["plan_hash"])
    if not (path.exists() or path.is_symlink()):
        return SkippedSimulation("none", path)
    try:
        report = read_json(path, "simulation")  # a regular file only: a FIFO here never hangs
    except InputError:
        return SkippedSimulation("unreadable", path)
    if not isinstance(report, dict) or report.get("plan_hash") != plan["plan_hash"]:
        return SkippedSimulation("other-plan", path)
    if report.get("ok") is True:
        return SkippedSimulation("passed", path)
    checks = report.get("checks") if isinstance(report.get("checks"), list) else []
    failed = tuple(str(c.get("name")) for c in checks if isinstance(c, dict) and c.get("ok") is not True)
    return SkippedSimulation("failed", path, failed or ("no check passed",))


def skipped_simulation_warning(ctx: NetworkContext, plan: dict[str, Any]) -> str:
    """What --skip-simulation skips, as it is: no simulation, a failed one, or a passing one."""
    found = skipped_simulation(ctx, plan)
    path = found.path
    match found.state:
        case "none":
            return ("--skip-simulation: this batch was NOT executed on a fork; "
                    "nothing proves it upgrades cleanly or preserves storage")
        case "unreadable":
            return f"--skip-simulation: the simulation report {path} is unreadable; nothing proves this batch upgrades cleanly"
        case "other-plan":
            return f"--skip-simulation: {path} is not this plan's simulation; nothing proves this batch upgrades cleanly"
        case "passed":
            return f"--skip-simulation: a passing simulation exists ({path}); its check was skipped"
        case _:
            return (f"--skip-simulation: this batch FAILED its simulation on a fork ({path}; failed: "
                    f"{', '.join(found.failed)}) and is proposed anyway")


def domain_for(ctx: NetworkContext, plan: dict[str, Any]) -> SafeDomain:
    return SafeDomain(ctx.chain_id, plan["safe"]["address"], plan["safe"]["version"])


def onchain_nonce(ctx: NetworkContext, safe: str) -> int:
    from upgrader.sim.safe_exec import safe_contract

    return int(safe_contract(ctx.w3, safe).functions.nonce().call())


def find_plan_proposal(client: TransactionServiceClient, plan: dict[str, Any], safe: str, nonce: int) -> MultisigTx | None:
    """The queued transaction that is exactly this plan's batch, if one is."""
    for queued in sorted(client.queued(safe, nonce), key=lambda t: t.nonce):
        if queued.tx == plan_safe_tx(plan, queued.nonce):
            return queued
    return None


def propose(ctx: NetworkContext, plan: dict[str, Any], client: TransactionServiceClient, signer: Signer, *,
            nonce: int | None = None, skip_simulation: bool = False, raw_hash: bool = False,
            accept_red: str | None = None) -> ProposalResult:
    """Review the plan's batch, then sign and post it; a review with red warnings stops here
    (exit 1, nothing signed or posted) unless ``accept_red`` gives the reason, recorded in the
    proposal file (``stages.review.gate``)."""
    ensure_fresh(plan, ctx.manifest())
    from upgrader.governance.legs import next_safe_leg

    plan = next_safe_leg(ctx, plan)  # a Timelock's plan: its schedule leg, then (Safe executor) its execute leg
    simulation, simulation_failed = check_simulation(ctx, plan, skip_simulation)
    safe, domain = plan["safe"]["address"], domain_for(ctx, plan)
    current = onchain_nonce(ctx, safe)
    with proposing(ctx, client):  # find-or-post and the files, one run per network at a time
        existing = find_plan_proposal(client, plan, safe, current)
        if existing is not None and nonce is not None and existing.tx.nonce != nonce:
            raise InputError(f"the plan is already proposed at nonce {existing.tx.nonce} ({existing.safe_tx_hash}), not at "
                             f"--nonce {nonce}: drop --nonce to use that one, or execute or reject it before queuing it again")
        created = existing is None
        if existing is not None:
            tx, h = existing.tx, existing.safe_tx_hash
        else:
            if nonce is not None and nonce < current:
                raise InputError(f"--nonce {nonce} is already used: the Safe's on-chain nonce is {current}")
            require_proposer(ctx.w3, client, safe, signer.address)  # an owner or a delegate, as the service requires
            tx = plan_safe_tx(plan, client.next_nonce(safe, current) if nonce is None else nonce)
            h = "0x" + hashes(tx, domain).safe_tx_hash.hex()
        proposer = signer.address if created else proposer_of(existing)  # type: ignore[arg-type]
        folder = proposals_dir(ctx)
        review_path, proposal_path = folder / f"{h}.review.md", folder / f"{h}.json"
        batch = batch_file(ctx, plan, tx, h, proposer or signer.address)
        report, write = None, created or not proposal_path.is_file() or not review_path.is_file()
        if write:
            queued = {t.safe_tx_hash: t for t in client.queued(safe, current)}
            report = review_report(ctx, plan, tx, domain, batch, proposal_path, queued)
            if report is not None:  # before anything is signed or posted
                from upgrader.stages.review.gate import gate, with_acceptance

                batch = with_acceptance(batch, gate(report, h, "propose", accept_red, signer.address, ctx.network.name,
                                                          proposal_path))
        if existing is None:
            existing = client.propose(safe, tx, h, signer.address, signed(signer, bytes.fromhex(h[2:]), typed_data(tx, domain), raw_hash), ORIGIN)
        review_ok = None
        if write:
            signing = signing_section(ctx.w3, client, safe, h, existing)
            text, review_ok = review_text(ctx, plan, tx, domain, simulation, report, signing)
            atomic_write(review_path, text)
            atomic_write(proposal_path, dump_batch_file(batch))
    by = proposer_note(ctx.w3, client, safe, existing, None)
    return ProposalResult(safe, h, tx.nonce, created, simulation, proposal_path, review_path, client.url, review_ok, by, proposer,
                          simulation_failed)


def proposing(ctx: NetworkContext, client: TransactionServiceClient) -> Any:
    """The network's propose lock (``pipeline.netlock``), waited for until the client's deadline:
    a concurrent run of the same plan then finds this run's proposal instead of taking the
    next nonce."""
    from upgrader.stages.netlock import network_lock

    return network_lock(ctx.store.folder, "propose", getattr(client, "deadline_at", None), "`upgrader propose`")


def proposer_of(mtx: MultisigTx) -> str | None:
    """Who proposed a queued transaction, as the service records it (else its first signer);
    for a delegate's proposal the service's ``proposer`` is the delegator, the delegate proposed."""
    if mtx.proposed_by_delegate:
        return mtx.proposed_by_delegate
    if mtx.proposer:
        return mtx.proposer
    return mtx.confirmations[0].owner if mtx.confirmations else None


def _methods(ctx: NetworkContext, plan: dict[str, Any]) -> list[dict[str, Any] | None]:
    """contractMethod per call where we know the ABI (the upgrade calls on our proxies)."""
    by_proxy = {u["address"].lower(): u["to"]["contract"] for u in plan["upgrades"]}
    methods: list[dict[str, Any] | None] = []
    for call in plan["calls"]:
        contract = by_proxy.get(call["to"].lower())
        method = None
        if contract:
            abi = artifacts.find(ctx.build_info, contract).abi
            selector = call["data"][2:10].lower()
            for fragment in abi:
                if fragment.get("type") == "function" and _selector(fragment) == selector:
                    method = method_from_abi(fragment)
        methods.append(method)
    return methods


def _selector(fragment: dict[str, Any]) -> str:
    from upgrader.safe.abi_values import selector

    return selector(method_from_abi(fragment)).hex()


def batch_file(ctx: NetworkContext, plan: dict[str, Any], tx: SafeTx, h: str, owner: str) -> dict[str, Any]:
    """The Transaction Builder batch of the plan's calls. ``meta.nonce`` (beyond the app's own
    fields, covered by the checksum) lets a review recompute the safeTxHash from the file."""
    calls = [Call(c["to"], c["data"], int(c["value"])) for c in plan["calls"]]
    description = f"upgrader plan {plan['plan_hash']}; safeTxHash {h}. " + "; ".join(c["description"] for c in plan["calls"])
    batch = build_batch_file(chain_id=ctx.chain_id, safe=plan["safe"]["address"], calls=calls, methods=_methods(ctx, plan),
                             name=f"upgrader {plan['network']} upgrade", description=description, owner=owner)
    batch["meta"]["nonce"] = str(tx.nonce)
    batch["meta"]["planHash"] = plan["plan_hash"]  # review finds the plan by it (deployments/<net>/plans/)
    return add_checksum(batch)


def review_report(ctx: NetworkContext, plan: dict[str, Any], tx: SafeTx, domain: SafeDomain, batch: dict[str, Any],
                  proposal_path: Path, queued: dict[str, MultisigTx] | None = None) -> Any:
    """The review of the batch by `upgrader.stages.review` (None where it is not installed)."""
    try:
        from upgrader.stages.review.context import network_context
        from upgrader.stages.review.report import review
        from upgrader.stages.review.subject import subject_from_json
    except ImportError:
        return None
    h = "0x" + hashes(tx, domain).safe_tx_hash.hex()
    subject = subject_from_json(batch, str(proposal_path), tx.nonce, h)
    return review(subject, network_context(
        ctx, plan=plan, plan_path=ctx.plans_dir / f"{plan['plan_hash']}.json",
        queued={h: t.nonce for h, t in (queued or {}).items()}, queued_txs={h: t.tx for h, t in (queued or {}).items()}))


def review_text(ctx: NetworkContext, plan: dict[str, Any], tx: SafeTx, domain: SafeDomain, simulation: str, report: Any,
                signing: dict[str, Any] | None = None) -> tuple[str, bool | None]:
    """(markdown, ok) of the review (ok: no red warning); a plain summary when there is no
    review (ok None)."""
    if report is None:
        return plain_review(plan, tx, domain, simulation) + signing_markdown(signing), None
    from upgrader.stages.review.report import render_markdown

    report.signing = signing
    text = render_markdown(report)
    if simulation != "passed":
        text = f"> **SIMULATION {simulation.upper()}: {skipped_simulation_warning(ctx, plan)}**\n\n" + text
    return text, report.ok


_plain_simulation = {"passed": "passed", "skipped": "**SKIPPED: no passing simulation of this plan was checked**",
                     "failed": "**FAILED: this batch failed its simulation and was proposed with --skip-simulation**"}


def plain_review(plan: dict[str, Any], tx: SafeTx, domain: SafeDomain, simulation: str) -> str:
    h = hashes(tx, domain)
    op = "DELEGATECALL" if tx.operation == 1 else "CALL"
    lines = [
        f"# Safe transaction {'0x' + h.safe_tx_hash.hex()}",
        "",
        f"- Safe: `{domain.safe}` (version {domain.version}, chain {domain.chain_id})",
        f"- nonce: {tx.nonce}",
        f"- to: `{tx.to}` ({op}), value {tx.value}",
        f"- domain hash: `0x{h.domain_hash.hex()}`",
        f"- message hash: `0x{h.message_hash.hex()}`",
        f"- safeTxHash: `0x{h.safe_tx_hash.hex()}`",
        f"- plan: `{plan['plan_hash']}`",
        f"- simulation: {_plain_simulation[simulation]}",
        "",
        "## Calls",
        "",
    ]
    lines += [f"{i}. `{c['to']}`: {c['description']}" for i, c in enumerate(plan["calls"], 1)]
    lines += ["", "## Upgrades", ""]
    for u in plan["upgrades"]:
        verdict = "ok" if u["check"]["ok"] else "REJECTED"
        lines.append(f"- {u['proxy']} `{u['address']}`: {u['from']['contract']} -> {u['to']['contract']} "
                     f"at `{u['to']['implementation']}` (layout check {verdict})")
    return "\n".join(lines) + "\n"
