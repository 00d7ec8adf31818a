"""The Safe service client: one class holding every rule we rely on (retries, pacing, the
command's deadline, response validation, pagination, finding a proposal again), speaking
either dialect (``dialects``: Queue Service or classic Transaction Service), with the HTTP
transport left to a subclass (``http.HttpTransactionService``). The local service for dev
chains and tests is a *server*, so every command talks to it through this same code.

Retries: 5xx, 429 and timeouts/connection failures are retried with exponential backoff and
full jitter, bounded in attempts, in total time and by the command's deadline; a 429 waits its
``Retry-After`` (through the shared pacer) before anyone sends again. A 429 saying the month's
quota is spent (``{"detail": "Monthly quota exceeded."}``, the body api-kit's
``tests/endpoint/httpRequests.test.ts`` @ 99486267 answers with) is not retried: it is one
``ServiceQuotaSpent`` line saying to set ``SAFE_API_KEY``. A 401/403 says to set
``SAFE_API_KEY``; any other 4xx raises ``ServiceRejected`` with the service's own message. A
2xx whose body is HTML, not JSON, or JSON of another shape raises ``ServiceBadResponse``. A
service that keeps failing is ``ServiceUnavailable``: not bad input, re-run when it answers.
"""

from __future__ import annotations

import json
import random
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode, urljoin, urlsplit

from upgrader.errors import InputError
from upgrader.safe_service.exceptions import (
    QUOTA_DETAIL, ServiceAuthError, ServiceBadResponse, ServiceError, ServiceQuotaSpent, ServiceRejected, ServiceUnavailable,
    ServiceUnsupported,
)
from upgrader.safe._values import parse_address
from upgrader.safe_service.dialects import DIALECTS, Call, Dialect, DialectName, Unsupported
from upgrader.safe_service.models import BadShape, Confirmation, Delegate, MultisigTx, SafeInfo, parse_page
from upgrader.safe_service.pacing import Pacer, parse_retry_after
from upgrader.safe.tx import SafeTx

__all__ = [
    "Confirmation", "Delegate", "MultisigTx", "Reply", "RetryPolicy", "SafeInfo", "ServiceAuthError",
    "ServiceBadResponse", "ServiceError", "ServiceQuotaSpent", "ServiceRejected", "ServiceUnavailable", "ServiceUnsupported",
    "Transient",
    "TransactionServiceClient", "error_message",
]

API_KEY_ENV = "SAFE_API_KEY"
T = TypeVar("T")


class Transient(Exception):
    """Raised by a transport for a failure worth retrying (timeout, refused connection)."""


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6  # total tries, including the first
    base_delay_s: float = 0.25
    max_delay_s: float = 4.0
    total_s: float = 30.0  # never start a retry past this much time since the first try
    jitter: Callable[[], float] = field(default=random.random, compare=False)
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def delay(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max, base * 2**attempt)] (attempt counts from 0)."""
        return self.jitter() * min(self.max_delay_s, self.base_delay_s * 2**attempt)


def error_message(body: Any) -> str:
    """The service's validation errors flattened to one line, e.g. ``{"nonce": ["too low"]}``
    -> ``nonce: too low``; ``nonFieldErrors``/``detail``/``message`` are shown bare."""
    if body is None or body == "":
        return "no message"
    if isinstance(body, str):
        return " ".join(body.split())[:300]
    if isinstance(body, list):
        return "; ".join(error_message(b) for b in body)
    if isinstance(body, dict):
        parts = []
        for key, value in body.items():
            if key == "code":
                continue
            bare = key in ("nonFieldErrors", "non_field_errors", "detail", "message", "messages", "arguments")
            if value in (None, "", [], {}):
                continue
            parts.append(error_message(value) if bare else f"{key}: {error_message(value)}")
        return "; ".join(parts) or "no message"
    return str(body)


def _looks_html(reply: Reply) -> bool:
    kind = (reply.header("content-type") or "").lower()
    return "html" in kind or reply.body.lstrip()[:1] == b"<"


def _decode(reply: Reply) -> Any:
    """JSON body, None when empty; raises ValueError when the body is not JSON."""
    if not reply.body.strip():
        return None
    from upgrader.inputs.strict_json import check_structure

    try:  # a hostile reply nested 100,000 deep must not reach the recursive parser
        check_structure(reply.body, "the reply", 64)
    except InputError as exc:
        raise ValueError(str(exc)) from None
    return json.loads(reply.body)


class TransactionServiceClient(ABC):
    """Shared logic; subclasses implement ``_send`` (one attempt at one URL, no retries)."""

    def __init__(self, retry: RetryPolicy | None = None, *, kind: DialectName = "tx-service",
                 chain_id: int | None = None, deadline_s: float | None = None, pacer: Pacer | None = None) -> None:
        if kind not in DIALECTS:
            raise InputError(f"unknown Safe API kind {kind!r}; use one of {', '.join(DIALECTS)}")
        self.retry = retry or RetryPolicy()
        self.dialect: Dialect = DIALECTS[kind](chain_id)
        self.deadline_at = time.monotonic() + deadline_s if deadline_s is not None else None
        self.deadline_s = deadline_s
        self.pacer = pacer or Pacer()

    @property
    @abstractmethod
    def url(self) -> str:
        """The service's base URL (for building requests and for messages)."""

    @property
    def title(self) -> str:
        return self.dialect.title

    @property
    def has_api_key(self) -> bool:
        return False

    @abstractmethod
    def _send(self, method: str, url: str, body: Any, timeout_s: float | None) -> Reply:
        """One request. Raise ``Transient`` for a timeout or a failed connection."""

    # -- transport with retries, pacing and the deadline ------------------------------------

    def remaining(self) -> float | None:
        return None if self.deadline_at is None else self.deadline_at - time.monotonic()

    def _url(self, path_or_url: str, params: dict[str, Any] | None) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return self.url + path_or_url + ("?" + urlencode(params) if params else "")

    def request(self, call: Call) -> Any:
        return self._request(call.method, self._url(call.path, call.params), call.body, call.path)

    def _request(self, method: str, url: str, body: Any, shown: str) -> Any:
        started, last = time.monotonic(), ""
        for attempt in range(self.retry.attempts):
            if not self.pacer.acquire(self.deadline_at):
                last = "rate limited past the deadline"
                break
            left = self.remaining()
            if left is not None and left <= 0:
                break
            try:
                reply = self._send(method, url, body, left)
            except Transient as exc:
                last = str(exc)
            else:
                self.pacer.observe(reply.header("x-consumer-rps"))
                if reply.status < 400:
                    return self._ok_body(reply, method, shown)
                last = self._failure(reply, method, shown)
            delay = self.retry.delay(attempt)
            left = self.remaining()
            if (attempt + 1 >= self.retry.attempts or time.monotonic() - started + delay > self.retry.total_s
                    or (left is not None and left <= delay)):
                break
            self.retry.sleep(delay)
        elapsed = time.monotonic() - started
        within = f" (the command's deadline is {self.deadline_s:g} s)" if self.deadline_s is not None else ""
        raise ServiceUnavailable(
            f"{self.title} at {self.url} kept failing ({method} {shown}; last: {last or 'out of time'}) "
            f"after {attempt + 1} attempt(s) in {elapsed:.1f} s{within}; re-run when it answers")

    def _ok_body(self, reply: Reply, method: str, shown: str) -> Any:
        try:
            return _decode(reply)
        except ValueError:
            what = "an HTML page" if _looks_html(reply) else "a body that is not JSON"
            raise ServiceBadResponse(
                f"{self.title} at {self.url} answered {method} {shown} with {what} (HTTP {reply.status}); "
                f"check the URL (upgrader.networks.<n>.safe_api.url) points at the service's API") from None

    def _failure(self, reply: Reply, method: str, shown: str) -> str:
        """Raise for a final failure; return a description of a retryable one."""
        try:
            payload = _decode(reply)
        except ValueError:
            payload = "an HTML page" if _looks_html(reply) else reply.body.decode("utf-8", "replace")
        text = error_message(payload)
        if reply.status in (401, 403):
            fix = ("check the API key in SAFE_API_KEY (valid, not expired, for this service)" if self.has_api_key
                   else "set SAFE_API_KEY to an API key from https://developer.safe.global")
            raise ServiceAuthError(reply.status, f"{text}; {fix}", method, shown, self.title, payload)
        if reply.status == 429 and isinstance(payload, dict) and payload.get("detail") == QUOTA_DETAIL:
            fix = ("the Safe API's monthly quota of the key in SAFE_API_KEY is spent; use a key with quota left "
                   "(https://developer.safe.global)" if self.has_api_key else "the Safe API's monthly quota is spent; set SAFE_API_KEY")
            raise ServiceQuotaSpent(fix, payload)
        if reply.status == 429:
            self.pacer.back_off(parse_retry_after(reply.header("retry-after"), 1.0))
            return f"HTTP 429: {text}"
        if reply.status >= 500:
            return f"HTTP {reply.status}: {text}"
        raise ServiceRejected(reply.status, text, method, shown, self.title, payload)

    def _parse(self, payload: Any, parse: Callable[[Any], T], call: Call) -> T:
        try:
            return parse(payload)
        except BadShape as exc:
            raise ServiceBadResponse(f"{self.title} at {self.url} answered {call.method} {call.path} with JSON of "
                                     f"another shape ({exc}); check upgrader.networks.<n>.safe_api (kind and url)") from None

    def _pages(self, call: Call, item: Callable[[Any], T], what: str) -> Iterator[T]:
        """Every item of a paginated list, following each page's ``next`` link."""
        url, seen = self._url(call.path, call.params), set()
        base = urlsplit(self.url)
        for _ in range(1000):  # a bound, not a limit anyone should reach
            seen.add(url)
            items, nxt = self._parse(self._request("GET", url, None, call.path),
                                     lambda p: parse_page(p, item, what), call)
            yield from items
            if not nxt:
                return
            url = urljoin(url, nxt)
            target = urlsplit(url)
            if (target.scheme, target.netloc) != (base.scheme, base.netloc):
                raise ServiceBadResponse(f"{self.title} at {self.url} sent a next page on another host ({target.netloc}); not followed")
            if url in seen:
                raise ServiceBadResponse(f"{self.title} at {self.url} sent a next page that loops back to {url}")

    # -- the API ---------------------------------------------------------------------------

    def _call(self, make: Callable[[], Call]) -> Call:
        try:
            return make()
        except Unsupported as exc:
            raise ServiceUnsupported(f"{exc} ({self.url})") from None

    def safe_info(self, safe: str) -> SafeInfo:
        call = self._call(lambda: self.dialect.safe_info(parse_address(safe, "safe")))
        return self._parse(self.request(call), SafeInfo.from_json, call)

    def multisig_transactions(self, safe: str, *, nonce_gte: int | None = None, executed: bool | None = None) -> list[MultisigTx]:
        """Every multisig transaction of the Safe (following pagination), optionally filtered.
        (The Transaction Service lists trusted ones only, as its list does by default.)"""
        call = self._call(lambda: self.dialect.list_txs(parse_address(safe, "safe"), nonce_gte, executed))
        rows = self._pages(call, self.dialect.parse_tx, "multisig transactions")
        return [t for t in rows if t.safe.lower() == safe.lower()
                and (executed is None or t.is_executed == executed) and (nonce_gte is None or t.nonce >= nonce_gte)]

    def multisig_transaction(self, safe_tx_hash: str) -> MultisigTx | None:
        call = self.dialect.get_tx(_hash(safe_tx_hash))
        try:
            payload = self.request(call)
        except ServiceRejected as exc:
            if exc.status == 404:
                return None
            raise
        found = self._parse(payload, self.dialect.parse_tx, call)
        if found.safe_tx_hash != _hash(safe_tx_hash):
            raise ServiceBadResponse(f"the {self.title} at {self.url} answered for {safe_tx_hash} with another transaction, "
                                     f"{found.safe_tx_hash}; check the network's service URL (tx_service / safe_api)")
        return found

    def transaction_of(self, safe: str, safe_tx_hash: str) -> MultisigTx | None:
        """``multisig_transaction``, which must also be a transaction of ``safe``: an answer
        about another Safe (or another hash) is ``ServiceBadResponse`` naming both (issue 22)."""
        found = self.multisig_transaction(safe_tx_hash)
        if found is not None and found.safe.lower() != safe.lower():
            raise ServiceBadResponse(f"the {self.title} at {self.url} says {safe_tx_hash} is a transaction of the Safe "
                                     f"{found.safe}, not of {safe}; check the hash and the network's service URL")
        return found

    def queued(self, safe: str, onchain_nonce: int) -> list[MultisigTx]:
        """Not executed, at or above the on-chain nonce (what owners are still signing)."""
        rows = self._pages(self.dialect.queued(parse_address(safe, "safe"), onchain_nonce), self.dialect.parse_tx, "queued transactions")
        return [t for t in rows if not t.is_executed and t.nonce >= onchain_nonce and t.safe.lower() == safe.lower()]

    def next_nonce(self, safe: str, onchain_nonce: int | None = None) -> int:
        """max(on-chain nonce, highest queued nonce + 1)."""
        if onchain_nonce is None:
            onchain_nonce = self.safe_info(safe).nonce
        return max([onchain_nonce, *(t.nonce + 1 for t in self.queued(safe, onchain_nonce))])

    def find_proposal(self, safe_tx_hash: str) -> MultisigTx | None:
        return self.multisig_transaction(safe_tx_hash)

    def propose(self, safe: str, tx: SafeTx, safe_tx_hash: str, sender: str, signature: str, origin: str = "upgrader") -> MultisigTx:
        """Post a multisig transaction signed by ``sender`` (an owner: the signature is its
        confirmation; a delegate: the service records it as proposer only). The Transaction
        Service answers a repeated proposal of the same hash 201 and adds its new confirmations
        (history/serializers.py SafeMultisigTransactionSerializer.save: get_or_create), so a
        retry after a lost answer is success too; when a retry is refused or the service stops
        answering, holding exactly our transaction from this sender is success."""
        call = self.dialect.propose(parse_address(safe, "safe"), tx, _hash(safe_tx_hash), parse_address(sender, "sender"),
                                    signature, origin)
        try:
            self.request(call)
        except (ServiceRejected, ServiceUnavailable) as exc:
            if isinstance(exc, ServiceAuthError):
                raise
            existing = self.find_proposal(safe_tx_hash)
            if existing is None or existing.is_executed or existing.tx != tx or not _from_sender(existing, sender):
                raise
            return existing
        found = self.find_proposal(safe_tx_hash)
        if found is None:
            raise ServiceBadResponse(f"the service accepted {safe_tx_hash} but does not list it; check {self.url}")
        return found

    def confirm(self, safe_tx_hash: str, signature: str, owner: str | None = None) -> None:
        """Add an owner's signature. With ``owner`` given, a retry whose earlier attempt went
        through (the service then lists that owner's confirmation) counts as success."""
        try:
            self.request(self.dialect.confirm(_hash(safe_tx_hash), signature))
        except (ServiceRejected, ServiceUnavailable) as exc:
            existing = self.find_proposal(safe_tx_hash) if owner and not isinstance(exc, ServiceAuthError) else None
            if existing is None or not existing.confirmed_by(owner or ""):
                raise

    def delegates(self, safe: str | None = None, delegator: str | None = None, delegate: str | None = None) -> list[Delegate]:
        """Delegates (expired ones included, as the service lists them: see ``Delegate.expired``).
        The Transaction Service needs at least one filter (history/filters.py DelegateListFilter);
        ``safe`` matches delegates for that Safe only, not those for every Safe."""
        if not (safe or delegator or delegate):
            raise InputError("listing delegates needs a Safe, a delegator or a delegate")
        call = self.dialect.delegates(*(parse_address(v, k) if v else None
                                        for k, v in (("safe", safe), ("delegator", delegator), ("delegate", delegate))))
        return list(self._pages(call, self.dialect.parse_delegate, "delegates"))

    def add_delegate(self, delegate: str, delegator: str, signature: str, label: str, safe: str | None = None) -> None:
        self.request(self.dialect.add_delegate(parse_address(delegate, "delegate"), parse_address(delegator, "delegator"),
                                               signature, label, parse_address(safe, "safe") if safe else None))

    def remove_delegate(self, delegate: str, delegator: str, signature: str, safe: str | None = None) -> None:
        self.request(self.dialect.remove_delegate(parse_address(delegate, "delegate"), parse_address(delegator, "delegator"),
                                                  signature, parse_address(safe, "safe") if safe else None))


def _from_sender(tx: MultisigTx, sender: str) -> bool:
    s = sender.lower()
    return tx.confirmed_by(sender) or (tx.proposed_by_delegate or "").lower() == s or (tx.proposer or "").lower() == s


def _hash(value: str) -> str:
    text = str(value).lower()
    if not text.startswith("0x") or len(text) != 66 or any(c not in "0123456789abcdef" for c in text[2:]):
        raise InputError(f"{value!r} is not a safeTxHash (0x + 64 hex digits)")
    return text
