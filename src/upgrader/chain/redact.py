"""RPC URLs carry API keys in their path, query or user info: only ``scheme://host[:port]``
ever leaves upgrader (messages, files, process command lines)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit


def redact(url: str) -> str:
    """``https://eth.example/v2/KEY`` -> ``https://eth.example/…``; a bare host stays as it is."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<rpc url>"
    if not parts.scheme or not host:
        return "<rpc url>"
    shown = f"{parts.scheme}://{host}" + (f":{port}" if port else "")
    hidden = parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password
    return shown + ("/…" if hidden else "")


def scrub(text: str, urls: Iterable[str]) -> str:
    """``text`` with every one of ``urls`` (and their secret tails) replaced by its redacted form."""
    for url in sorted(set(urls), key=len, reverse=True):
        if not url:
            continue
        text = text.replace(url, redact(url))
        parts = urlsplit(url)
        for secret in (parts.path.strip("/"), parts.query, parts.password or ""):
            if len(secret) >= 8:  # a path segment this long is a key, not "/rpc"
                text = text.replace(secret, "…")
    return text
