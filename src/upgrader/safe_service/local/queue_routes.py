"""The Queue Service's paths on the local service: exactly the requests the client gateway's
SafeQueueService sends (safe-global/safe-client-gateway
``src/modules/safe-queue/safe-queue.service.ts`` @ 967418dc, branch
feat/queue/06-messages-integration; line numbers of that file), answered with the bodies its
zod schemas read (``render.queue_tx``/``queue_delegate``) under the Transaction Service's rules
(``rules``). The chain travels as ``chainId`` (body or query) or in ``safes=<safe>:<chainId>``
and must be the chain this service serves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from upgrader.errors import InputError
from upgrader.safe.tx import SafeTx
from upgrader.safe_service.local import render, rules
from upgrader.safe_service.local.routes import HASH, Route, _delegate_rows, _page, _safe_txs
from upgrader.safe_service.local.rules import Invalid, Proposal

if TYPE_CHECKING:
    from upgrader.safe_service.local.service import LocalTransactionService, Response

__all__ = ["queue_routes"]


def _wrong_chain(svc: "LocalTransactionService", given: Any) -> "Response | None":
    if given is None or str(given) != str(svc.chain_id):
        return 400, {"chainId": [f"chainId={given} is not served here (this service serves chain {svc.chain_id})"]}
    return None


def _blob(signatures: Any) -> str | None:
    """``signatures: [..]`` as one blob for the rules (each element one owner's 65 bytes, or a
    single element of any length)."""
    if not signatures:
        return None
    if not isinstance(signatures, list) or not all(isinstance(s, str) for s in signatures):
        raise Invalid("Expected a list of items.", "signatures")
    if len(signatures) == 1:
        return signatures[0]
    if any(len(s.removeprefix("0x")) != 130 for s in signatures):
        raise Invalid("each signature must be 65 bytes when several are sent", "signatures")
    return "0x" + "".join(s.removeprefix("0x") for s in signatures)


def _propose(svc: "LocalTransactionService", body: Any) -> "Response":
    """proposeTransaction (l. 84-103): no sender and no safeTxHash in the body; the signer of
    the one signature proposes (an owner, or a delegate: no confirmation)."""
    if not isinstance(body, dict):
        return 400, Invalid("Invalid data. Expected a dictionary, but got list.").body()
    wrong = _wrong_chain(svc, body.get("chainId"))
    if wrong:
        return wrong
    try:
        safe = rules._address(body.get("safe"), "safe")
        tx = SafeTx.from_json({**body, "data": body.get("data") or "0x"})
        origin = {k: v for k, v in (("name", body.get("originName")), ("url", body.get("originUrl")),
                                    ("note", body.get("notes"))) if v is not None}
        record, _ = rules.propose(svc, Proposal(safe, tx, None, None, _blob(body.get("signatures")), origin))
    except Invalid as exc:
        return 422, exc.body()
    except (InputError, LookupError) as exc:
        return 422, Invalid(str(exc)).body()
    svc.save()
    return 201, render.queue_tx(record, svc.chain_id)


def _get(svc: "LocalTransactionService", h: str) -> "Response":
    record = svc.txs.get(h.lower())
    if record is None:
        return 404, {"detail": "Not found."}
    svc.refresh_executed(record["safe"])
    return 200, render.queue_tx(record, svc.chain_id)


def _signatures(svc: "LocalTransactionService", h: str, body: Any) -> "Response":
    """postConfirmation (l. 269-272): POST .../signatures {signatures: [signature]}."""
    try:
        blob = _blob((body or {}).get("signatures") if isinstance(body, dict) else None)
        record = rules.confirm(svc, h.lower(), blob)
    except Invalid as exc:
        return 400, exc.body()
    except LookupError as exc:
        return 404, {"detail": str(exc)}
    svc.save()
    return 201, render.queue_tx(record, svc.chain_id)


def _queue(svc: "LocalTransactionService", q: dict[str, str]) -> "Response":
    """getTransactionQueue (l. 238-250): ?safes=<safe>:<chainId>&nonce_order=asc|desc."""
    safe, _, chain = (q.get("safes") or "").partition(":")
    wrong = _wrong_chain(svc, chain or None)
    if wrong:
        return wrong
    try:
        safe = rules._address(safe, "safes")
    except Invalid as exc:
        return 400, exc.body()
    rows = sorted((t for t in _safe_txs(svc, safe) if not t["isExecuted"]), key=lambda t: (int(t["nonce"]), t["submissionDate"]),
                  reverse=q.get("nonce_order") == "desc")
    return _page(q, [render.queue_tx(t, svc.chain_id) for t in rows], svc.page_size)


def _delegates(svc: "LocalTransactionService", q: dict[str, str]) -> "Response":
    """getDelegates (l. 317-333): ?chainId&safe&delegate&delegator&limit&offset."""
    wrong = _wrong_chain(svc, q.get("chainId"))
    if wrong:
        return wrong
    rows = _delegate_rows(svc, q)
    if rows is None:
        return 400, ["At least one query param must be provided"]
    return _page(q, [render.queue_delegate(d, svc.chain_id) for d in rows], svc.page_size)


def _add_delegate(svc: "LocalTransactionService", body: Any) -> "Response":
    """postDelegate (l. 352-368)."""
    wrong = _wrong_chain(svc, (body or {}).get("chainId") if isinstance(body, dict) else None)
    if wrong:
        return wrong
    try:
        entry = rules.add_delegate(svc, body)
    except Invalid as exc:
        return 400, exc.body()
    svc.save()
    return 201, render.queue_delegate(entry, svc.chain_id)


def _delete_delegate(svc: "LocalTransactionService", body: Any) -> "Response":
    """deleteDelegate (l. 413-428): the delegate in the body, not the path."""
    wrong = _wrong_chain(svc, (body or {}).get("chainId") if isinstance(body, dict) else None)
    if wrong:
        return wrong
    try:
        removed = rules.delete_delegate(svc, rules._address((body or {}).get("delegate"), "delegate"), body)
    except Invalid as exc:
        return 400, exc.body()
    svc.save()
    return (204, None) if removed else (404, None)


def queue_routes(svc: "LocalTransactionService") -> list[Route]:
    return [
        ("GET", r"/api/v1/multisig-transactions/queue", lambda q, b: _queue(svc, q)),
        ("POST", r"/api/v1/multisig-transactions", lambda q, b: _propose(svc, b)),
        ("GET", rf"/api/v1/multisig-transactions/{HASH}", lambda h, q, b: _get(svc, h)),
        ("POST", rf"/api/v1/multisig-transactions/{HASH}/signatures", lambda h, q, b: _signatures(svc, h, b)),
        ("GET", r"/api/v1/delegates", lambda q, b: _delegates(svc, q)),
        ("POST", r"/api/v1/delegates", lambda q, b: _add_delegate(svc, b)),
        ("DELETE", r"/api/v1/delegates", lambda q, b: _delete_delegate(svc, b)),
    ]
