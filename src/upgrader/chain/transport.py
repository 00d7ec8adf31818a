"""A lost connection (refused, reset, closed, timed out) that escapes a command, as one line
naming the endpoint, redacted.

Matched by class name along the exception's chain (``__cause__``/``__context__``) and each
class's bases, so nothing here imports requests, urllib3 or web3: the quick lane stays light
and a library that is not loaded cannot have raised.
"""

from __future__ import annotations

import re

# (module, class) of the transport failures, bases included through the MRO.
TRANSPORT = {
    ("builtins", "ConnectionError"),  # refused, reset, aborted (BrokenPipeError: see below)
    ("builtins", "TimeoutError"),  # socket.timeout too
    ("http.client", "RemoteDisconnected"),
    ("http.client", "IncompleteRead"),
    ("urllib.error", "URLError"),
    ("requests.exceptions", "ConnectionError"),  # ConnectTimeout included
    ("requests.exceptions", "Timeout"),
    ("requests.exceptions", "ChunkedEncodingError"),
    ("urllib3.exceptions", "ProtocolError"),
    ("urllib3.exceptions", "MaxRetryError"),
    ("urllib3.exceptions", "TimeoutError"),
    ("web3.exceptions", "ProviderConnectionError"),
    ("web3.exceptions", "RequestTimedOut"),
    ("aiohttp.client_exceptions", "ClientConnectionError"),
}
NOT_TRANSPORT = {("urllib.error", "HTTPError")}  # the server answered
_URL = re.compile(r"""(https?|wss?)://[^\s'"<>(),]+""")
_POOL = re.compile(r"""host='([^']+)', port=(\d+)""")


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop(0)
        if e is None or any(e is s for s in seen) or len(seen) > 20:
            continue
        seen.append(e)
        todo += [e.__cause__, e.__context__, *(a for a in e.args if isinstance(a, BaseException))]
        todo.append(getattr(e, "reason", None) if isinstance(getattr(e, "reason", None), BaseException) else None)
    return seen


def _names(exc: BaseException) -> set[tuple[str, str]]:
    return {(c.__module__, c.__name__) for c in type(exc).__mro__}


def is_transport(exc: BaseException) -> bool:
    """True for a connection failure anywhere on ``exc``'s chain (a stdout BrokenPipeError is not one)."""
    if isinstance(exc, BrokenPipeError):
        return False
    return any(_names(e) & TRANSPORT and not _names(e) & NOT_TRANSPORT for e in _chain(exc))


def endpoint(exc: BaseException) -> str | None:
    """The URL (redacted) the failed connection was for, when the exception tells it."""
    from upgrader.chain.redact import redact

    for e in _chain(exc):
        request = getattr(e, "request", None)
        url = getattr(request, "url", None) or getattr(request, "full_url", None)
        if isinstance(url, str) and "://" in url:
            return redact(url)
        pool = getattr(e, "pool", None)
        if getattr(pool, "host", None):
            return redact(f"{getattr(pool, 'scheme', 'http')}://{pool.host}:{pool.port}")
    for e in _chain(exc):
        text = " ".join(str(a) for a in (e, *e.args))
        if m := _URL.search(text):
            return redact(m.group(0).rstrip(".:;"))
        if m := _POOL.search(text):
            return redact(f"http://{m.group(1)}:{m.group(2)}")
    return None


def kind(exc: BaseException) -> str:
    """The class name of the first transport failure on the chain (what the line shows)."""
    return next((type(e).__name__ for e in _chain(exc) if _names(e) & TRANSPORT), type(exc).__name__)


def describe(exc: BaseException) -> str | None:
    """One line for a transport failure (None for anything else): what was lost and what to do."""
    if not is_transport(exc):
        return None
    where = endpoint(exc) or "an RPC endpoint or Safe service"
    return (f"the connection to {where} failed mid-command ({kind(exc)}); check that it is running and "
            "reachable (`upgrader node status` for the local stack), then run the command again")
