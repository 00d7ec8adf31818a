"""Credentials in an RPC URL (``https://user:pass@host/...``) as the endpoint pool's requests
session sends them (HTTP Basic), for the plain urllib calls (the fork probe, Anvil control,
storage batches): urllib would take ``user:pass@host`` for a host name."""

from __future__ import annotations

import base64
import urllib.request
from urllib.parse import unquote, urlsplit, urlunsplit

__all__ = ["request"]


def split(url: str) -> tuple[str, dict[str, str]]:
    """(the URL without its user info, the Authorization header it stood for)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, {}
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port is not None else "")
    token = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}".encode()
    return urlunsplit(parts._replace(netloc=netloc)), {"Authorization": "Basic " + base64.b64encode(token).decode()}


def request(url: str, body: bytes) -> urllib.request.Request:
    """A JSON-RPC POST to ``url``, its credentials (if any) as a Basic Authorization header."""
    bare, headers = split(url)
    return urllib.request.Request(bare, body, {"Content-Type": "application/json", **headers})
