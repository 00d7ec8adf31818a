"""`upgrader review`: everything a signer needs before signing, derived from the raw fields.

    report = review(load_subject("batch.json", proposals_dir), ReviewContext(manifest, build_info))
    report.ok, report.to_json(), render_markdown(report)

The hashes are recomputed (never read from the file), every call is decoded, nested batches
included, and each class of danger is a red warning (see ``review_rules.KINDS``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from upgrader.manifest import canonical_json
from upgrader.stages.review.decode import AddressBook, CallNode, Decoder, artifacts_of
from upgrader.stages.review.subject import ReviewSubject, load_subject, queued_nonces, queued_safe_txs, subject_safe_tx
from upgrader.stages.review.rules import (
    CodeReader, ReviewWarning, UpgradeCheck, decode_errors, delegatecalls, duplicate_proposals, empty_batches,
    gas_refund, no_chain_id, nonce_conflicts, safe_self_calls, unknown_deploys, unknown_upgraders, untrusted_targets,
)
from upgrader.safe.addresses import address_of, is_trusted_multisend_call_only
from upgrader.safe.hashreport import as_shown_on_device
from upgrader.safe.multisend import Batch, Call
from upgrader.safe.tx import SafeDomain, SafeTx, hashes

__all__ = ["ReviewContext", "ReviewReport", "review", "review_file", "render_markdown", "load_subject"]

DEFAULT_SAFE_VERSION = "1.4.1"


@dataclass
class ReviewContext:
    """What the review knows beyond the input. All optional: with nothing, only Safe
    infrastructure is named and every target is untrusted."""

    manifest: Any = None
    build_info: dict[str, Any] | None = None
    safe_version: str | None = None  # overrides the manifest's
    multisend: str | None = None  # for rebuilding a multi-call batch file
    proposals_dir: Path | None = None
    queued: dict[str, int] = field(default_factory=dict)  # safeTxHash -> nonce, e.g. from the service
    queued_txs: dict[str, SafeTx] = field(default_factory=dict)  # safeTxHash -> queued SafeTx, e.g. from the service
    read_code: CodeReader | None = None  # None: offline
    read_creation: Callable[[str], bytes | None] | None = None  # address -> init code of its top-level CREATE (adopt.creation)
    plan: dict[str, Any] | None = None
    plan_path: Path | None = None
    plans_dir: Path | None = None  # deployments/<net>/plans/: where the batch's plan is looked up without --plan
    signing: dict[str, Any] | None = None  # pipeline.signing.signing_section: proposer, owner Safes' approvals
    constructor_args: list[tuple[str, bytes]] = field(default_factory=list)  # (contract, encoded args) of the modules
    unsafe_allow: dict[str, tuple[str, ...]] = field(default_factory=dict)  # module -> `unsafe_allow` of the settings


def constructed_of(ctx: ReviewContext) -> list[tuple[str, bytes]]:
    """(contract, constructor arguments) the implementations may have been deployed with: the
    plan's upgrades, then the project's modules (``constructor_args``)."""
    planned = [(u["to"]["contract"], bytes.fromhex(u["to"]["constructor_args"][2:]))
               for u in (ctx.plan or {}).get("upgrades", []) if (u["to"].get("constructor_args") or "0x") != "0x"]
    return planned + list(ctx.constructor_args)


@dataclass
class ReviewReport:
    subject: ReviewSubject
    safe_version: str
    tx: SafeTx
    hashes: dict[str, str] | None
    root: CallNode
    warnings: list[ReviewWarning]
    plan: dict[str, Any] | None = None
    signing: dict[str, Any] | None = None
    simulation: dict[str, Any] | None = None  # review --simulate (pipeline.review_sim)
    governance: list[dict[str, Any]] | None = None  # Timelock / Governor calls: ids, delay, ETA (review.governed)
    context: ReviewContext | None = None  # what the review knew, its plan found included (review --simulate uses it)

    @property
    def ok(self) -> bool:
        return not any(w.severity == "red" for w in self.warnings)

    @property
    def red(self) -> list[ReviewWarning]:
        return [w for w in self.warnings if w.severity == "red"]

    def to_json(self) -> dict[str, Any]:
        h = self.hashes or {}
        return {
            "ok": self.ok,
            "source": self.subject.source,
            "input_kind": self.subject.kind,
            "chain_id": self.subject.chain_id,
            "safe": self.subject.safe,
            "safe_version": self.safe_version,
            "nonce": self.subject.nonce,
            "safe_tx_hash": h.get("safe_tx_hash"),
            "domain_hash": h.get("domain_hash"),
            "message_hash": h.get("message_hash"),
            "checksum": self.subject.checksum,
            "tx": {**self.tx.to_json(), "nonce": None if self.subject.nonce is None else str(self.tx.nonce)},
            "calls": [self.root.to_json()],
            "warnings": [w.to_json() for w in self.warnings],
            "plan": self.plan,
            "signing": self.signing,
            "simulation": self.simulation,
            "governance": self.governance,
        }


def _manifest_safe(ctx: ReviewContext, subject: ReviewSubject) -> Any:
    m = ctx.manifest
    if m is not None and m.safe.address.lower() == subject.safe.lower() and m.chain_id == subject.chain_id:
        return m.safe
    return None


def _multisend(ctx: ReviewContext, safe_record: Any, version: str) -> str:
    if ctx.multisend:
        return ctx.multisend
    if safe_record is not None and safe_record.multisend_call_only:
        return safe_record.multisend_call_only
    return address_of("MultiSendCallOnly", version if version in ("1.3.0", "1.4.1") else "1.4.1")


def review(subject: ReviewSubject, ctx: ReviewContext | None = None) -> ReviewReport:
    ctx = ctx or ReviewContext()
    safe_record = _manifest_safe(ctx, subject)
    version = ctx.safe_version or (safe_record.version if safe_record else DEFAULT_SAFE_VERSION)
    multisend = _multisend(ctx, safe_record, version)
    trusted = {multisend.lower()} if safe_record is not None or ctx.multisend else set()

    def trusted_multisend(address: str) -> bool:
        return is_trusted_multisend_call_only(address) or address.lower() in trusted

    tx = subject_safe_tx(subject, multisend)
    computed = None
    if tx is not None:
        computed = hashes(tx, SafeDomain(subject.chain_id, subject.safe, version)).to_json()
    else:
        tx = Batch(subject.calls).to_safe_tx(multisend, 0)  # the structure, for decoding only
    artifacts = artifacts_of(ctx.build_info)
    book = AddressBook(ctx.manifest, artifacts, subject.safe, constructed_of(ctx))
    root = Decoder(book, artifacts).decode(Call.of(tx))
    ctx, plan_note = _with_plan_of(ctx, subject, root)
    if plan_note == "":  # found: the plan's constructor arguments name its implementations
        book = AddressBook(ctx.manifest, artifacts, subject.safe, constructed_of(ctx))
        root = Decoder(book, artifacts).decode(Call.of(tx))
    warnings = _input_warnings(subject, ctx, computed)
    if plan_note:
        warnings.append(ReviewWarning("plan-not-found", plan_note))
    warnings += delegatecalls(root, trusted_multisend) + empty_batches(root) + no_chain_id(version)
    warnings += safe_self_calls(root, subject.safe)
    warnings += gas_refund(tx)
    if computed is not None:
        queued = {**queued_nonces(ctx.proposals_dir, subject.chain_id, subject.safe), **ctx.queued}
        warnings += nonce_conflicts(tx.nonce, computed["safe_tx_hash"], queued)
        others = {**queued_safe_txs(ctx.proposals_dir, subject.chain_id, subject.safe, multisend), **ctx.queued_txs}
        warnings += duplicate_proposals(tx, computed["safe_tx_hash"], others)
    warnings += untrusted_targets(root, book, trusted_multisend)
    warnings += unknown_upgraders(root, book)
    warnings += decode_errors(root) + unknown_deploys(root)
    upgrades = UpgradeCheck(book, {a.fqn: a for a in artifacts}, _verdict(ctx), ctx.read_code, lambda proxy: allowed_kinds(ctx, proxy),
                            read_creation=ctx.read_creation)
    warnings += upgrades.run(root)
    from upgrader.stages.review.governed import planned_operations, review_governed

    governed, governed_warnings = review_governed(root, ctx.manifest, ctx.plan, planned_operations(ctx.manifest, ctx.proposals_dir))
    warnings += governed_warnings
    plan_section = None
    if ctx.plan is not None:
        from upgrader.stages.review.plan_proof import compare_with_plan

        plan_section, plan_warnings = compare_with_plan(
            ctx.plan, ctx.plan_path or Path("."), root, tx if computed else None, subject.safe, subject.chain_id, ctx.manifest,
            computed["safe_tx_hash"] if computed else None)
        warnings += plan_warnings
        for u in plan_section["upgrades"]:  # what the checker says here, not only what it said when the plan was made
            if u["proxy"] in upgrades.rejected:
                u["check"]["ok"] = False
    report = ReviewReport(subject, version, tx, computed, root, warnings, plan_section, ctx.signing)
    report.governance = governed or None
    report.context = ctx
    return report


def _with_plan_of(ctx: ReviewContext, subject: ReviewSubject, root: CallNode) -> tuple[ReviewContext, str | None]:
    """``ctx`` with the batch's own plan found under ``plans_dir`` when none was given (--plan);
    the note is None when nothing was looked up, "" when found, else why none was."""
    if ctx.plan is not None or ctx.plans_dir is None:
        return ctx, None
    from dataclasses import replace

    from upgrader.stages.review.plan_proof import find_plan

    found = find_plan(ctx.plans_dir, ctx.manifest, root, subject.safe, subject.chain_id, subject.plan_hash)
    if found is not None:
        return replace(ctx, plan=found[0], plan_path=found[1]), ""
    if subject.plan_hash:
        return ctx, (f"the proposal records plan {subject.plan_hash}, which is not under {ctx.plans_dir}; the review "
                     "judges the batch without it (pass --plan FILE if you have it)")
    return ctx, None


def _input_warnings(subject: ReviewSubject, ctx: ReviewContext, computed: dict[str, str] | None) -> list[ReviewWarning]:
    out = []
    if subject.checksum is not None:
        if not subject.checksum["present"]:
            out.append(ReviewWarning("checksum-missing", "the batch file carries no Transaction Builder checksum"))
        elif not subject.checksum["valid"]:
            out.append(ReviewWarning("checksum-invalid", "the batch file's checksum does not match its content: it was edited after it was made"))
    out += [ReviewWarning("display-mismatch", f"{m}: the signer would approve something other than what is shown") for m in subject.display_mismatches]
    if computed is None:
        out.append(ReviewWarning("no-nonce", "the file states no nonce: pass --nonce to compute the safeTxHash to compare with your wallet"))
    elif subject.claimed_hash and subject.claimed_hash.lower() != computed["safe_tx_hash"]:
        out.append(ReviewWarning("hash-mismatch", f"the input claims safeTxHash {subject.claimed_hash}, the fields hash to {computed['safe_tx_hash']}"))
    out += [acceptance_warning(a) for a in subject.accepted_red]
    m = ctx.manifest
    if m is not None and (m.safe.address.lower() != subject.safe.lower() or m.chain_id != subject.chain_id):
        out.append(ReviewWarning("wrong-safe", f"the batch is for Safe {subject.safe} on chain {subject.chain_id}; the manifest's Safe is {m.safe.address} on chain {m.chain_id}"))
    return out


def allowed_kinds(ctx: ReviewContext, proxy: str) -> frozenset[str]:
    """The validation kinds the checker allows for ``proxy``'s upgrade: exactly those its plan
    recorded (``upgrades[].unsafe_allow``, covered by the plan hash); without a plan (or a plan
    older than recorded allowances), the module's ``unsafe_allow`` in the settings."""
    for u in (ctx.plan or {}).get("upgrades", []):
        if u["proxy"] == proxy and u.get("unsafe_allow") is not None:
            return frozenset(u["unsafe_allow"])
    return frozenset(ctx.unsafe_allow.get(proxy, ()))


def acceptance_warning(a: dict[str, Any]) -> ReviewWarning:
    """An earlier signer's ``--accept-red``, shown to every signer after (yellow: the red
    warnings it accepted are raised again by this review when they still hold)."""
    return ReviewWarning("red-accepted", f"at {a['step']}, {a['by']} accepted the red warnings {', '.join(a['kinds'])}: {a['reason']}")


def _verdict(ctx: ReviewContext):
    if ctx.build_info is None:
        return None
    from upgrader.check.verdict import upgrade_verdict

    cache: dict[tuple[str, str, tuple[str, ...]], dict[str, Any]] = {}

    def verdict(layout: dict[str, Any], fqn: str, allowed: frozenset[str]) -> dict[str, Any]:
        key = (canonical_json(layout), fqn, tuple(sorted(allowed)))
        if key not in cache:
            cache[key] = upgrade_verdict(layout, ctx.build_info, fqn, allowed)  # type: ignore[arg-type]
        return cache[key]

    return verdict


def review_file(arg: str, ctx: ReviewContext, nonce: int | None = None) -> ReviewReport:
    return review(load_subject(arg, ctx.proposals_dir, nonce), ctx)


def render_markdown(report: ReviewReport) -> str:
    """The ``proposals/<safeTxHash>.review.md`` a signer reads next to the proposal."""
    s, h = report.subject, report.hashes or {}
    verdict = "PASS: no red warnings" if report.ok else f"DO NOT SIGN: {len(report.red)} red warning(s)"
    lines = [f"# Review of Safe transaction {h.get('safe_tx_hash', '(no nonce)')}", "", f"**{verdict}**", "",
             "| field | value |", "|---|---|",
             f"| Safe | `{s.safe}` (v{report.safe_version}) |", f"| chain | {s.chain_id} |",
             f"| nonce | {s.nonce if s.nonce is not None else 'not stated'} |",
             f"| to | `{report.tx.to}` {report.root.to_name or ''} |",
             f"| operation | {'DELEGATECALL' if report.tx.operation else 'CALL'} |",
             f"| domain hash | `{as_shown_on_device(h['domain_hash']) if h else '-'}` |",
             f"| message hash | `{as_shown_on_device(h['message_hash']) if h else '-'}` |",
             f"| safeTxHash | `{h.get('safe_tx_hash', '-')}` |"]
    if s.checksum is not None:
        lines.append(f"| checksum | present: {s.checksum['present']}, valid: {s.checksum['valid']} |")
    lines += ["", "## Calls", ""]
    for node in report.root.walk():
        depth = node.path.count(".")
        op = " **DELEGATECALL**" if node.call.operation else ""
        lines.append(f"{'  ' * depth}- `{node.path}`{op} → `{node.call.to}` ({node.to_name or 'unknown'}): `{node.summary()}`"
                     + (f", value {node.call.value}" if node.call.value else ""))
    if report.governance:
        from upgrader.stages.review.governed import render_lines

        lines += ["", "## Timelock and Governor", "", *render_lines(report.governance)]
    lines += ["", "## Warnings", ""]
    lines += [f"- **{w.severity.upper()}** `{w.kind}`: {w.message}" for w in report.warnings] or ["- none"]
    if report.plan is not None:
        p = report.plan
        lines += ["", f"## Plan {p['plan_hash']}", "", f"Batch matches the plan: **{'yes' if p['matches'] else 'NO'}**", ""]
        if p["stale"]:
            lines += ["The plan is **STALE**: the manifest changed since it was made.", ""]
        if p.get("executed"):
            lines += [f"Executed in tx `{p['executed']['tx']}` (block {p['executed']['block']}): nothing left to sign.", ""]
        lines += [f"- {u['proxy']}: {u['from']} → {u['to']} at `{u['implementation']}`, checker {'ok' if u['check']['ok'] else 'REJECTS'}" for u in p["upgrades"]]
        sim = p["simulation"]
        lines += ["", "Simulation: " + ("**missing**" if sim is None else ("passed" if sim["ok"] else "**FAILED**"))]
        lines += [f"- {'ok' if c['ok'] else 'FAIL'} {c['name']}: {c['detail']}" for c in (sim or {}).get("checks", [])]
    from upgrader.stages.sign.owners import signing_markdown

    return "\n".join(lines) + "\n" + signing_markdown(report.signing)
