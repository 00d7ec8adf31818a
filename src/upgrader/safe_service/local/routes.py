"""The local service's two route tables over one store and one set of rules (``rules``):

- the Transaction Service's paths and views (safe-global/safe-transaction-service @ 3e0199c4,
  ``history/views.py``, ``history/views_v2.py``, ``history/filters.py``): a path address that is
  not checksummed is 422 ``{"code": 1, "message": "Checksum address validation failed", ...}``;
  a v2 proposal error is 422 with the serializer's errors (views_v2.py l. 492-495); a
  confirmation or delegate error is 400 (DRF's ``is_valid(raise_exception=True)``); lists are
  DRF limit/offset pages (``count``/``next``/``previous``/``results``, pagination.py
  DefaultPagination: 100 per page, at most 200);
- the Queue Service's paths, exactly those the client gateway's SafeQueueService calls
  (``dialects``); its server is unpublished, so errors there take the Transaction Service's
  status and body for the same rule.

``service.page_size`` caps a page so tests can make ``next`` matter. ``next`` is a relative
reference (``?limit=..&offset=..``), which keeps whatever path prefix the service sits under.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from eth_utils import is_checksum_address

from upgrader.errors import InputError
from upgrader.safe.tx import SafeTx
from upgrader.safe_service.local import render, rules
from upgrader.safe_service.local.onchain import read_safe
from upgrader.safe_service.local.rules import Invalid, Proposal

if TYPE_CHECKING:
    from upgrader.safe_service.local.service import LocalTransactionService, Response

ADDR, HASH = r"(0x[0-9a-fA-F]{40})", r"(0x[0-9a-fA-F]{64})"
Handler = Callable[..., "Response"]
Route = tuple[str, str, Handler]


def _checksum_error(address: str) -> "Response":
    """views_v2.py l. 442-450 (and every address view): 422 for a non-checksummed address."""
    return 422, {"code": 1, "message": "Checksum address validation failed", "arguments": [address]}


def _page(query: dict[str, str], rows: list[Any], cap: int, extra: dict[str, Any] | None = None) -> "Response":
    try:
        limit = max(1, min(int(query.get("limit", 100)), 200, cap))
        offset = max(0, int(query.get("offset", 0)))
    except ValueError:
        limit, offset = min(100, cap), 0
    page = rows[offset: offset + limit]
    nxt = "?" + urlencode({**query, "limit": limit, "offset": offset + limit}) if offset + limit < len(rows) else None
    prev = "?" + urlencode({**query, "limit": limit, "offset": max(0, offset - limit)}) if offset else None
    return 200, {"count": len(rows), "next": nxt, "previous": prev, "results": page, **(extra or {})}


def _safe_txs(svc: "LocalTransactionService", safe: str) -> list[dict[str, Any]]:
    svc.refresh_executed(safe)
    return [t for t in svc.txs.values() if t["safe"] == safe]


def _tx_list(svc: "LocalTransactionService", safe: str, q: dict[str, str]) -> "Response":
    """SafeMultisigTransactionListView (views_v2.py l. 376-454) with MultisigTransactionFilter:
    trusted only unless ``trusted=false`` (filters.py l. 95-118), executed, nonce filters;
    newest nonce first."""
    if not is_checksum_address(safe):
        return _checksum_error(safe)
    rows = _safe_txs(svc, safe)
    if q.get("trusted", "true").lower() not in ("false", "0"):
        rows = [t for t in rows if t.get("trusted", True)]
    if "executed" in q:
        rows = [t for t in rows if t["isExecuted"] == (q["executed"].lower() in ("true", "1"))]
    for key, keep in (("nonce__gte", lambda n, v: n >= v), ("nonce__lt", lambda n, v: n < v), ("nonce", lambda n, v: n == v)):
        if key in q:
            rows = [t for t in rows if keep(int(t["nonce"]), int(q[key]))]
    rows.sort(key=lambda t: (-int(t["nonce"]), t["submissionDate"]), reverse=False)
    threshold = read_safe(svc.w3, safe).threshold if rows else 0
    unique = len({t["nonce"] for t in _safe_txs(svc, safe) if t.get("trusted", True)})
    return _page(q, [render.tx_service_tx(t, threshold) for t in rows], svc.page_size, {"countUniqueNonce": unique})


def _tx_service_proposal(safe: str, body: Any) -> Proposal:
    if not isinstance(body, dict):
        raise Invalid("Invalid data. Expected a dictionary, but got list.")
    missing = [k for k in ("to", "value", "operation", "safeTxGas", "baseGas", "gasPrice", "nonce",
                           "contractTransactionHash", "sender") if body.get(k) is None]
    if missing:
        raise Invalid("This field is required.", missing[0])
    try:
        tx = SafeTx.from_json({**body, "data": body.get("data") or "0x"})
        sender = rules._address(body["sender"], "sender")
    except InputError as exc:
        raise Invalid(str(exc)) from None
    return Proposal(safe, tx, sender, str(body["contractTransactionHash"]), body.get("signature"), body.get("origin"))


def _propose_v2(svc: "LocalTransactionService", safe: str, body: Any) -> "Response":
    if not is_checksum_address(safe):  # views_v2.py l. 476-484
        return _checksum_error(safe)
    try:
        rules.propose(svc, _tx_service_proposal(safe, body))
    except Invalid as exc:  # views_v2.py l. 492-495: 422 with serializer.errors
        return 422, exc.body()
    except LookupError as exc:
        return 422, Invalid(str(exc)).body()
    svc.save()
    return 201, None


def _get_v2(svc: "LocalTransactionService", h: str) -> "Response":
    record = svc.txs.get(h.lower())
    if record is None:
        return 404, {"detail": "No MultisigTransaction matches the given query."}
    svc.refresh_executed(record["safe"])
    return 200, render.tx_service_tx(record, read_safe(svc.w3, record["safe"]).threshold)


def _confirm_v1(svc: "LocalTransactionService", h: str, body: Any) -> "Response":
    """SafeMultisigConfirmationsView.post (views.py l. 556-566): 201 with the signature."""
    signature = (body or {}).get("signature") if isinstance(body, dict) else None
    try:
        rules.confirm(svc, h.lower(), signature)
    except Invalid as exc:
        return 400, exc.body()
    except LookupError as exc:
        return 404, {"detail": str(exc)}
    svc.save()
    return 201, {"signature": signature}


def _delegate_rows(svc: "LocalTransactionService", q: dict[str, str]) -> list[dict[str, Any]] | None:
    """DelegateListFilter (filters.py l. 14-25): None when no filter is given (400)."""
    filters = {k: q[k] for k in ("safe", "delegate", "delegator", "label") if q.get(k)}
    if not filters:
        return None
    return [d for d in svc.delegates if all((d[k] or "").lower() == v.lower() for k, v in filters.items())]


def _delegates_v2(svc: "LocalTransactionService", q: dict[str, str]) -> "Response":
    rows = _delegate_rows(svc, q)
    if rows is None:
        return 400, ["At least one query param must be provided"]
    return _page(q, [render.tx_service_delegate(d) for d in rows], svc.page_size)


def _add_delegate(svc: "LocalTransactionService", body: Any) -> "Response":
    """DelegateListView.post (views_v2.py l. 154-189): 201 with the serializer's data."""
    try:
        entry = rules.add_delegate(svc, body)
    except Invalid as exc:
        return 400, exc.body()
    svc.save()
    return 201, {**render.tx_service_delegate(entry), "signature": body.get("signature")}


def _delete_delegate(svc: "LocalTransactionService", delegate: str, body: Any) -> "Response":
    if not is_checksum_address(delegate):  # views_v2.py l. 212-220
        return _checksum_error(delegate)
    try:
        removed = rules.delete_delegate(svc, delegate, body)
    except Invalid as exc:
        return 400, exc.body()
    svc.save()
    return (204, None) if removed else (404, None)


def _safe_info(svc: "LocalTransactionService", safe: str) -> "Response":
    """SafeInfoView (views.py l. 1109-1147)."""
    if not is_checksum_address(safe):
        return _checksum_error(safe)
    try:
        return 200, render.safe_info(read_safe(svc.w3, safe))
    except LookupError:
        return 404, None


def tx_service_routes(svc: "LocalTransactionService") -> list[Route]:
    return [
        ("GET", rf"/api/v1/safes/{ADDR}/", lambda safe, q, b: _safe_info(svc, safe)),
        ("GET", rf"/api/v2/safes/{ADDR}/multisig-transactions/", lambda safe, q, b: _tx_list(svc, safe, q)),
        ("POST", rf"/api/v2/safes/{ADDR}/multisig-transactions/", lambda safe, q, b: _propose_v2(svc, safe, b)),
        ("GET", rf"/api/v2/multisig-transactions/{HASH}/", lambda h, q, b: _get_v2(svc, h)),
        ("POST", rf"/api/v1/multisig-transactions/{HASH}/confirmations/", lambda h, q, b: _confirm_v1(svc, h, b)),
        ("GET", r"/api/v2/delegates/", lambda q, b: _delegates_v2(svc, q)),
        ("POST", r"/api/v2/delegates/", lambda q, b: _add_delegate(svc, b)),
        ("DELETE", rf"/api/v2/delegates/{ADDR}/", lambda d, q, b: _delete_delegate(svc, d, b)),
    ]


def route(svc: "LocalTransactionService", method: str, path: str) -> tuple[Handler, tuple[str, ...]] | None:
    from upgrader.safe_service.local.queue_routes import queue_routes

    for verb, pattern, handler in (*tx_service_routes(svc), *queue_routes(svc)):
        m = re.fullmatch(pattern, path)
        if m and verb == method:
            return handler, m.groups()
    return None
