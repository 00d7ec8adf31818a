"""The real Safe Transaction Service over HTTP (urllib; no extra dependency).

The API key, when set, comes from ``SAFE_API_KEY`` and is sent as ``Authorization: Bearer``;
it is never part of a message, a repr or a file.
"""

from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from upgrader.safe.service.base import RetryPolicy, TransactionServiceClient, Transient

API_KEY_ENV = "SAFE_API_KEY"
USER_AGENT = "upgrader (safe-transaction-service client)"


class HttpTransactionService(TransactionServiceClient):
    def __init__(self, base_url: str, *, api_key: str | None = None, timeout_s: float = 10.0,
                 retry: RetryPolicy | None = None) -> None:
        super().__init__(retry)
        self._base = base_url.rstrip("/")
        self._api_key = api_key if api_key is not None else os.environ.get(API_KEY_ENV) or None
        self.timeout_s = timeout_s

    @property
    def url(self) -> str:
        return self._base

    def __repr__(self) -> str:
        return f"HttpTransactionService({self._base!r}, api_key={'set' if self._api_key else 'unset'})"

    def _send(self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None) -> tuple[int, Any]:
        url = self._base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return response.status, _parse(response.read())
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, _parse(exc.read())
        except (TimeoutError, socket.timeout) as exc:
            raise Transient(f"timed out after {self.timeout_s:g} s") from exc
        except urllib.error.URLError as exc:
            raise Transient(f"cannot connect ({exc.reason})") from exc
        except (ConnectionError, OSError) as exc:  # reset mid-response, broken pipe
            raise Transient(f"connection failed ({type(exc).__name__})") from exc


def _parse(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return raw.decode("utf-8", "replace")[:500]
