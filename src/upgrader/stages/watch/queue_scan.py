"""Findings from the Safe service's queue: a transaction that touches our proxies (or their
ProxyAdmin/beacon) or the Safe itself and is none of our plans' batches, with its review
verdict; a proposal waiting for signatures longer than allowed."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from upgrader.stages.watch.kinds import WatchFinding


def plan_hashes(ctx: Any, nonces: set[int]) -> set[str]:
    """safeTxHashes our plans' batches (a Timelock's execute leg included) have at these nonces."""
    from upgrader.governance.legs import safe_legs
    from upgrader.safe.tx import SafeDomain, safe_tx_hash
    from upgrader.stages.batch import plan_safe_tx
    from upgrader.stages.planfile import network_plans

    out: set[str] = set()
    for plan in network_plans(ctx.plans_dir, ctx.network.name, ctx.chain_id):
        domain = SafeDomain(ctx.chain_id, plan["safe"]["address"], plan["safe"]["version"])
        out.update("0x" + safe_tx_hash(plan_safe_tx(leg, n), domain).hex() for leg in safe_legs(plan) for n in nonces)
    return out


def _touches(report: Any, safe: str, book: Any) -> bool:
    """A call to the Safe, to a proxy or its ProxyAdmin/beacon, or a DELEGATECALL (which runs
    as the Safe) anywhere in the decoded tree."""
    for node in report.root.walk():
        if node.call.to.lower() == safe.lower() or book.records_at(node.call.to):
            return True
        if node.call.operation == 1 and not (node is report.root and node.is_batch):
            return True
    return False


def queue_findings(ctx: Any, manifest: Any, client: Any, safe_nonce: int, max_pending_s: float,
                   now: datetime | None = None) -> list[WatchFinding]:
    from upgrader.stages.review.context import network_context
    from upgrader.stages.review.report import review
    from upgrader.stages.review.decode import AddressBook, artifacts_of
    from upgrader.stages.review.subject import subject_from_json

    safe = manifest.safe.address
    queued = [t for t in client.multisig_transactions(safe, executed=False) if t.nonce >= safe_nonce]
    ours = plan_hashes(ctx, {t.nonce for t in queued})
    review_ctx = network_context(ctx, manifest, proposals_dir=None)  # the service's queue is the queue here
    book = AddressBook(manifest, artifacts_of(ctx.build_info), safe)
    now = now or datetime.now(timezone.utc)
    out = []
    for t in queued:
        h = t.safe_tx_hash.lower()
        if h not in ours:
            report = review(subject_from_json({**t.tx.to_json(), "safe": safe, "chainId": ctx.chain_id}, f"service {h}"), review_ctx)
            if _touches(report, safe, book):
                red = sorted({w.kind for w in report.red})
                verdict = "DO NOT SIGN: " + ", ".join(red) if red else "no red warnings"
                out.append(WatchFinding("foreign-queued-transaction", f"queued:{h}",
                                   f"queued Safe transaction {h} (nonce {t.nonce}) touches our proxies or the Safe and matches no plan; review: {verdict}",
                                   {"safe_tx_hash": h, "nonce": t.nonce, "review_ok": report.ok, "red": red,
                                    "calls": [n.summary() for n in report.root.walk()]}))
        waiting = _age_s(t.submission_date, now)
        required = t.confirmations_required or manifest.safe.threshold
        if waiting is not None and waiting > max_pending_s and len(t.confirmations) < required:
            out.append(WatchFinding("proposal-waiting", f"waiting:{h}",
                               f"Safe transaction {h} (nonce {t.nonce}) has {len(t.confirmations)} of {required} signatures after {int(waiting)} s",
                               {"safe_tx_hash": h, "nonce": t.nonce, "confirmations": len(t.confirmations), "required": required,
                                "waiting_s": int(waiting)}))
    return out


def _age_s(stamp: str | None, now: datetime) -> float | None:
    if not stamp:
        return None
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return (now - when).total_seconds()
