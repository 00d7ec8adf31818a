"""The Safe services over HTTP (urllib; no extra dependency).

    HttpTransactionService(url, kind="queue" | "tx-service", chain_id=..., deadline_s=...)

The API key, when set, comes from ``SAFE_API_KEY`` and is sent as ``Authorization: Bearer``
(docs.safe.global/core-api/how-to-use-api-keys); it is never part of a message, a repr or a
file, and it is never sent to another host than the configured one (``next`` links to
another host are refused in ``base``).
"""

from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.request
from typing import Any

from upgrader.safe_service.client import API_KEY_ENV, Reply, RetryPolicy, TransactionServiceClient, Transient
from upgrader.safe_service.dialects import DialectName
from upgrader.safe_service.pacing import Pacer, pacer_for

__all__ = ["API_KEY_ENV", "HttpTransactionService"]

USER_AGENT = "upgrader (Safe service client)"


class HttpTransactionService(TransactionServiceClient):
    def __init__(self, base_url: str, *, kind: DialectName = "tx-service", chain_id: int | None = None,
                 api_key: str | None = None, timeout_s: float = 10.0, retry: RetryPolicy | None = None,
                 deadline_s: float | None = None, pacer: Pacer | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._api_key = api_key if api_key is not None else os.environ.get(API_KEY_ENV) or None
        super().__init__(retry, kind=kind, chain_id=chain_id, deadline_s=deadline_s,
                         pacer=pacer or pacer_for(self._base, bool(self._api_key)))
        self.timeout_s = timeout_s

    @property
    def url(self) -> str:
        return self._base

    @property
    def has_api_key(self) -> bool:
        return bool(self._api_key)

    def __repr__(self) -> str:
        return f"HttpTransactionService({self._base!r}, kind={self.dialect.name!r}, api_key={'set' if self._api_key else 'unset'})"

    def _send(self, method: str, url: str, body: Any, timeout_s: float | None) -> Reply:
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        timeout = self.timeout_s if timeout_s is None else max(0.05, min(self.timeout_s, timeout_s))
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Reply(response.status, response.read(), _headers(response.headers))
        except urllib.error.HTTPError as exc:
            with exc:
                return Reply(exc.code, exc.read(), _headers(exc.headers))
        except (TimeoutError, socket.timeout) as exc:
            raise Transient(f"timed out after {timeout:g} s") from exc
        except urllib.error.URLError as exc:
            raise Transient(f"cannot connect ({exc.reason})") from exc
        except (ConnectionError, OSError) as exc:  # reset mid-response, broken pipe
            raise Transient(f"connection failed ({type(exc).__name__})") from exc


def _headers(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in (headers.items() if headers else ())}
