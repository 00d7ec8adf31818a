"""The local service's two route tables -- the classic Transaction Service paths and the Queue
Service paths (``dialects`` says which of the latter are confirmed by Safe's docs) -- over one
set of rules (``local_service``). Lists are paginated the way Safe's services do it
(``count``/``next``/``previous``/``results``, ``limit``/``offset``), with the page size capped by
``service.page_size`` so tests can make ``next`` matter."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from upgrader.safe_service.local.service import LocalTransactionService, Response

ADDR, HASH = r"(0x[0-9a-fA-F]{40})", r"(0x[0-9a-fA-F]{64})"
Handler = Callable[..., "Response"]


def _rows_page(path: str, query: dict[str, str], rows: list[dict[str, Any]], cap: int) -> "Response":
    limit = max(1, min(int(query.get("limit", cap)), cap))
    offset = int(query.get("offset", 0))
    page = rows[offset: offset + limit]
    nxt = f"{path}?{urlencode({**query, 'limit': limit, 'offset': offset + limit})}" if offset + limit < len(rows) else None
    return 200, {"count": len(rows), "next": nxt, "previous": None, "results": page}


def _txs(svc: "LocalTransactionService", safe: str, query: dict[str, str]) -> list[dict[str, Any]]:
    safe = svc.safe(safe)["address"]
    svc.refresh_executed(safe)
    rows = [t for t in svc.txs.values() if t["safe"] == safe]
    if "nonce__gte" in query:
        rows = [t for t in rows if int(t["nonce"]) >= int(query["nonce__gte"])]
    if "executed" in query:
        rows = [t for t in rows if t["isExecuted"] == (query["executed"] == "true")]
    return sorted(rows, key=lambda t: (-int(t["nonce"]), t["submissionDate"]))


def _get_tx(svc: "LocalTransactionService", h: str) -> "Response":
    tx = svc.txs.get(h.lower())
    if tx is None:
        return 404, {"detail": "No MultisigTransaction matches the given query."}
    svc.refresh_executed(tx["safe"])
    return 200, tx


def _delegate_rows(svc: "LocalTransactionService", query: dict[str, str]) -> list[dict[str, Any]]:
    rows = svc.delegates
    for key in ("safe", "delegate", "delegator"):
        if query.get(key):
            rows = [d for d in rows if (d[key] or "").lower() == query[key].lower()]
    return list(rows)


def tx_service_routes(svc: "LocalTransactionService") -> list[tuple[str, str, Handler]]:
    cap = lambda: svc.page_size  # noqa: E731
    return [
        ("GET", rf"/api/v1/safes/{ADDR}/", lambda safe, q, b: _safe_info(svc, safe)),
        ("GET", rf"/api/v2/safes/{ADDR}/multisig-transactions/",
         lambda safe, q, b: _rows_page(f"/api/v2/safes/{safe}/multisig-transactions/", q, _txs(svc, safe, q), cap())),
        ("POST", rf"/api/v2/safes/{ADDR}/multisig-transactions/", lambda safe, q, b: svc.propose(safe, b)),
        ("GET", rf"/api/v2/multisig-transactions/{HASH}/", lambda h, q, b: _get_tx(svc, h)),
        ("POST", rf"/api/v1/multisig-transactions/{HASH}/confirmations/", lambda h, q, b: svc.confirm(h, b)),
        ("GET", r"/api/v2/delegates/", lambda q, b: _rows_page("/api/v2/delegates/", q, _delegate_rows(svc, q), cap())),
        ("POST", r"/api/v2/delegates/", lambda q, b: svc.add_delegate(b, conflict_on_repeat=False)),
        ("DELETE", rf"/api/v2/delegates/{ADDR}/", lambda d, q, b: svc.remove_delegate(d, b)),
    ]


def queue_routes(svc: "LocalTransactionService") -> list[tuple[str, str, Handler]]:
    cap = lambda: svc.page_size  # noqa: E731

    def chained(handler: Handler, where: str) -> Handler:
        def run(*args: Any) -> "Response":
            q, b = args[-2], args[-1]
            svc.check_chain(q.get("chainId") if where == "query" else (b or {}).get("chainId"))
            return handler(*args)
        return run

    def queue(q: dict[str, str], b: Any) -> "Response":
        safe, _, chain = (q.get("safes") or "").partition(":")
        svc.check_chain(chain or None)
        rows = [t for t in _txs(svc, safe, q) if not t["isExecuted"]]
        return _rows_page("/api/v1/multisig-transactions/queue", q, sorted(rows, key=lambda t: int(t["nonce"])), cap())

    def propose(q: dict[str, str], b: Any) -> "Response":
        return svc.propose(str((b or {}).get("safe") or ""), b)

    return [
        ("GET", rf"/api/v1/safes/{ADDR}/multisig-transactions", chained(
            lambda safe, q, b: _rows_page(f"/api/v1/safes/{safe}/multisig-transactions", q, _txs(svc, safe, q), cap()), "query")),
        ("GET", r"/api/v1/multisig-transactions/queue", queue),
        ("POST", r"/api/v1/multisig-transactions", chained(propose, "body")),
        ("GET", rf"/api/v1/multisig-transactions/{HASH}", chained(lambda h, q, b: _get_tx(svc, h), "query")),
        ("POST", rf"/api/v1/multisig-transactions/{HASH}/confirmations", chained(lambda h, q, b: svc.confirm(h, b), "body")),
        ("GET", r"/api/v1/delegates", chained(
            lambda q, b: _rows_page("/api/v1/delegates", q, _delegate_rows(svc, q), cap()), "query")),
        ("POST", r"/api/v1/delegates", chained(lambda q, b: svc.add_delegate(b, conflict_on_repeat=True), "body")),
        ("DELETE", r"/api/v1/delegates", chained(lambda q, b: svc.remove_delegate(str((b or {}).get("delegate")), b), "body")),
    ]


def _safe_info(svc: "LocalTransactionService", safe: str) -> "Response":
    info = svc.safe(safe)
    return 200, {"address": info["address"], "nonce": str(info["nonce"]), "threshold": info["threshold"],
                 "owners": info["owners"], "version": info["version"], "modules": [], "guard": None}


def route(svc: "LocalTransactionService", method: str, path: str) -> tuple[Handler, tuple[str, ...]] | None:
    for verb, pattern, handler in (*tx_service_routes(svc), *queue_routes(svc)):
        m = re.fullmatch(pattern, path)
        if m and verb == method:
            return handler, m.groups()
    return None
