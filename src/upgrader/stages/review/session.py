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
        from upgrader.stages.review.simulate.fork import attach_simulation

        attach_simulation(report, ctx, network, fork_url, block)
    return report


def review_with_service(target: str, ctx: ReviewContext, nonce: int | None, url: str, network: str) -> ReviewReport:
    from upgrader.stages.review.report import review
    from upgrader.stages.review.subject import SAFE_TX_HASH, load_subject, subject_from_service

    client = service_client(url, network, ctx)  # the API key comes from the environment
    local = ctx.proposals_dir / f"{target.lower()}.json" if ctx.proposals_dir else None
    fetched = None
    if SAFE_TX_HASH.match(target) and not Path(target).exists() and not (local and local.is_file()):
        if ctx.manifest is None:
            raise InputError("fetching from the service needs the network's manifest (for the chain id); use --network")
        subject, fetched = subject_from_service(client, target, ctx.manifest.chain_id)
    else:
        subject = load_subject(target, ctx.proposals_dir, nonce)
    pending = client.multisig_transactions(subject.safe, executed=False)  # nonce rivals and duplicates
    ctx.queued = {t.safe_tx_hash.lower(): t.nonce for t in pending}
    ctx.queued_txs = {t.safe_tx_hash.lower(): t.tx for t in pending}
    report = review(subject, ctx)
    h = (report.hashes or {}).get("safe_tx_hash")
    if fetched is None and h is not None:  # what the service holds under the file's hash: this Safe's, these fields
        fetched = client.transaction_of(subject.safe, h)  # another Safe's or hash's: exit 2 naming both, as execute
        report.warnings += service_copy_warnings(client.url, h, fetched, report)
    report.signing = _signing(network, client, subject.safe, h, fetched if fetched and fetched.safe_tx_hash == h else None)
    return report


def service_copy_warnings(url: str, h: str, fetched: Any, report: ReviewReport) -> list[Any]:
    """Red when the service holds other fields under the batch's hash: owners would confirm
    there a transaction whose fields are not this batch's (a genuine service recomputes the
    hash from the fields, so only a wrong or hostile one answers so: safe-global/safe-transaction-service
    ``safe_transaction_service/history/serializers.py`` @ 3e0199c4 (v6.10.1) l. 237-242 refuses a
    proposal whose contractTransactionHash is not the fields' hash, as ``safe_service.local.rules`` does)."""
    from upgrader.safe.tx import SafeDomain, safe_tx_hash
    from upgrader.stages.review.rules import ReviewWarning

    if fetched is None:
        return []
    domain = SafeDomain(report.subject.chain_id, report.subject.safe, report.safe_version)
    if "0x" + safe_tx_hash(fetched.tx, domain).hex() == h.lower():
        return []
    return [ReviewWarning("service-mismatch", f"the Safe service at {url} holds other fields under {h} than this batch "
                                              "(they hash to something else): do not confirm it there")]


def _signing(network: str, client: Any, safe: str, safe_tx_hash: str | None, mtx: Any) -> Any:
    """Who proposed, and each owner Safe's inner approval (pipeline.signing), when the
    network's RPC answers; None otherwise (the rest of the review stands without it)."""
    from upgrader import config as project_config
    from upgrader.chain.rpc import connect
    from upgrader.stages.sign.owners import signing_section

    if safe_tx_hash is None:
        return None
    try:
        w3 = connect(project_config.load().network(network).rpc_urls(), give_up_after_s=2.0)
        return signing_section(w3, client, safe, safe_tx_hash, mtx)
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
