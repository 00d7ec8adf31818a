"""One `upgrader review` run: the context (``stages.review.context``), the plan given with
--plan (else the batch's own, found by ``review``), the subject from a file, a proposals
folder or a Safe service, and the review itself; --simulate joins the fork's findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from upgrader.errors import InputError, UnavailableError
from upgrader.stages.review.context import project_context
from upgrader.stages.review.report import ReviewContext, ReviewReport

__all__ = ["review_session"]


def review_session(target: str, network: str, *, plan: str | None = None, nonce: int | None = None,
                   safe_version: str | None = None, multisend: str | None = None, offline: bool = False,
                   tx_service: str | None = None, simulate: bool = False, fork_url: str | None = None,
                   block: int | None = None) -> ReviewReport:
    from upgrader.stages.review.plan_proof import resolve_plan
    from upgrader.stages.review.report import review_file

    ctx = project_context(network, offline, safe_version, multisend)
    if plan is not None:
        ctx.plan, ctx.plan_path = resolve_plan(plan, ctx.plans_dir)
    if tx_service and not offline:
        report = review_with_service(target, ctx, nonce, tx_service, network)
    else:
        report = review_file(target, ctx, nonce)
    if simulate:
        from upgrader.stages.review.simulate import attach_simulation

        attach_simulation(report, ctx, network, fork_url, block)
    return report


def review_with_service(target: str, ctx: ReviewContext, nonce: int | None, url: str, network: str) -> ReviewReport:
    from upgrader.stages.review.report import review
    from upgrader.stages.review.subject import SAFE_TX_HASH, load_subject, subject_from_service

    client = service_client(url, network, ctx)  # the API key comes from the environment
    local = ctx.proposals_dir / f"{target.lower()}.json" if ctx.proposals_dir else None
    if SAFE_TX_HASH.match(target) and not Path(target).exists() and not (local and local.is_file()):
        if ctx.manifest is None:
            raise InputError("fetching from the service needs the network's manifest (for the chain id); use --network")
        subject = subject_from_service(client, target, ctx.manifest.chain_id)
    else:
        subject = load_subject(target, ctx.proposals_dir, nonce)
    pending = client.multisig_transactions(subject.safe, executed=False)  # nonce rivals and duplicates
    ctx.queued = {t.safe_tx_hash.lower(): t.nonce for t in pending}
    ctx.queued_txs = {t.safe_tx_hash.lower(): t.tx for t in pending}
    report = review(subject, ctx)
    report.signing = _signing(network, client, subject.safe, (report.hashes or {}).get("safe_tx_hash"))
    return report


def _signing(network: str, client: Any, safe: str, safe_tx_hash: str | None) -> Any:
    """Who proposed, and each owner Safe's inner approval (pipeline.signing), when the
    network's RPC answers; None otherwise (the rest of the review stands without it)."""
    from upgrader import config as project_config
    from upgrader.chain.rpc import connect
    from upgrader.stages.sign.owners import signing_section

    if safe_tx_hash is None:
        return None
    try:
        w3 = connect(project_config.load().network(network).rpc_urls(), give_up_after_s=2.0)
        return signing_section(w3, client, safe, safe_tx_hash, client.multisig_transaction(safe_tx_hash))
    except (InputError, UnavailableError):  # the RPC or the service did not answer: the review stands without it
        return None


def service_client(url: str, network: str, ctx: ReviewContext) -> Any:
    """The network's dialect (``safe_api.kind``) at ``url``; the classic Transaction Service
    when there is no project or manifest to say which."""
    from upgrader import config as project_config
    from upgrader.safe_service import HttpTransactionService
    from upgrader.stages.safe_api import open_client

    try:
        net = project_config.load().network(network)
    except InputError:
        net = None
    if net is None or ctx.manifest is None:
        return HttpTransactionService(url)
    return open_client(net, ctx.manifest.chain_id, url)
