"""The Safe Transaction Service client: one abstract base holding every rule we rely on
(next free nonce, finding a proposal again, retries), with the transport left to subclasses.

The real HTTP client (``http.HttpTransactionService``) is the only subclass shipped: the
local service for dev chains and tests (``local_service``, served by ``local_server``) is a
*server*, so ``upgrader propose`` talks to it through exactly the same client code as to the
real service.

Retries: 5xx, 429 and timeouts/connection failures are retried with exponential backoff and
full jitter, bounded both in attempts and in total time. A 4xx is not retried; it raises
``ServiceRejected`` carrying the service's own message.
"""

from __future__ import annotations

import random
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from upgrader.errors import InputError
from upgrader.safe._values import parse_address
from upgrader.safe.tx import SafeTx

__all__ = [
    "Confirmation", "MultisigTx", "RetryPolicy", "SafeInfo", "ServiceError", "ServiceRejected",
    "ServiceUnavailable", "Transient", "TransactionServiceClient", "error_message",
]


class ServiceError(InputError):
    """Something went wrong talking to the Safe Transaction Service (exit 2)."""


class ServiceRejected(ServiceError):
    """The service answered 4xx: the request is wrong. ``message`` is the service's own text."""

    def __init__(self, status: int, message: str, method: str = "", path: str = "") -> None:
        super().__init__(f"Safe Transaction Service rejected {method} {path} ({status}): {message}")
        self.status = status
        self.service_message = message


class ServiceUnavailable(ServiceError):
    """Transient failures went on past the retry budget."""


class Transient(Exception):
    """Raised by a transport for a failure worth retrying (timeout, refused connection)."""


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


@dataclass(frozen=True)
class SafeInfo:
    address: str
    nonce: int
    threshold: int
    owners: tuple[str, ...]
    version: str

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "SafeInfo":
        return cls(
            address=parse_address(obj["address"], "safe"),
            nonce=int(obj["nonce"]),
            threshold=int(obj["threshold"]),
            owners=tuple(parse_address(o, "owner") for o in obj.get("owners") or ()),
            version=str(obj.get("version") or "").split("+", 1)[0],
        )


@dataclass(frozen=True)
class Confirmation:
    owner: str
    signature: str  # 0x-hex, 65 bytes for an ECDSA signature
    submission_date: str | None = None

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "Confirmation":
        return cls(parse_address(obj["owner"], "confirmation owner"), obj.get("signature") or "0x", obj.get("submissionDate"))


@dataclass(frozen=True)
class MultisigTx:
    """One multisig transaction as the service lists it."""

    safe: str
    tx: SafeTx
    safe_tx_hash: str
    confirmations: tuple[Confirmation, ...] = ()
    confirmations_required: int | None = None
    is_executed: bool = False
    transaction_hash: str | None = None
    block_number: int | None = None
    proposer: str | None = None
    origin: str | None = None

    @property
    def nonce(self) -> int:
        return self.tx.nonce

    def confirmed_by(self, owner: str) -> bool:
        return any(c.owner.lower() == owner.lower() for c in self.confirmations)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "MultisigTx":
        return cls(
            safe=parse_address(obj["safe"], "safe"),
            tx=SafeTx.from_json(obj),
            safe_tx_hash=str(obj["safeTxHash"]).lower(),
            confirmations=tuple(Confirmation.from_json(c) for c in obj.get("confirmations") or ()),
            confirmations_required=int(obj["confirmationsRequired"]) if obj.get("confirmationsRequired") is not None else None,
            is_executed=bool(obj.get("isExecuted")),
            transaction_hash=obj.get("transactionHash"),
            block_number=int(obj["blockNumber"]) if obj.get("blockNumber") is not None else None,
            proposer=obj.get("proposer"),
            origin=obj.get("origin"),
        )


def error_message(body: Any) -> str:
    """The service's validation errors flattened to one line, e.g. ``{"nonce": ["too low"]}``
    -> ``nonce: too low``; ``nonFieldErrors``/``detail``/``message`` are shown bare."""
    if body is None or body == "":
        return "no message"
    if isinstance(body, str):
        return body.strip()[:500]
    if isinstance(body, list):
        return "; ".join(error_message(b) for b in body)
    if isinstance(body, dict):
        parts = []
        for key, value in body.items():
            text = error_message(value)
            bare = key in ("nonFieldErrors", "non_field_errors", "detail", "message", "messages", "arguments", "code")
            if key == "code":
                continue
            parts.append(text if bare else f"{key}: {text}")
        return "; ".join(parts) or "no message"
    return str(body)


class TransactionServiceClient(ABC):
    """Shared logic; subclasses implement ``_send`` (one attempt, no retries)."""

    def __init__(self, retry: RetryPolicy | None = None) -> None:
        self.retry = retry or RetryPolicy()

    @property
    @abstractmethod
    def url(self) -> str:
        """Where this client sends requests (for messages)."""

    @abstractmethod
    def _send(self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None) -> tuple[int, Any]:
        """One request: (HTTP status, parsed JSON body or None). Raise ``Transient`` for a
        timeout or a failed connection."""

    # -- transport with retries ------------------------------------------------------------

    def request(self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None) -> Any:
        started = time.monotonic()
        last = ""
        for attempt in range(self.retry.attempts):
            try:
                status, payload = self._send(method, path, body, params)
            except Transient as exc:
                last = f"{exc}"
            else:
                if status < 400:
                    return payload
                if status == 429 or status >= 500:
                    last = f"HTTP {status}: {error_message(payload)}"
                else:
                    raise ServiceRejected(status, error_message(payload), method, path)
            delay = self.retry.delay(attempt)
            if attempt + 1 >= self.retry.attempts or time.monotonic() - started + delay > self.retry.total_s:
                break
            self.retry.sleep(delay)
        elapsed = time.monotonic() - started
        raise ServiceUnavailable(
            f"Safe Transaction Service at {self.url} kept failing ({method} {path}; last: {last}) "
            f"after {attempt + 1} attempt(s) in {elapsed:.1f} s; nothing was proposed by this attempt, re-run to continue"
        )

    # -- the API ---------------------------------------------------------------------------

    def safe_info(self, safe: str) -> SafeInfo:
        return SafeInfo.from_json(self.request("GET", f"/api/v1/safes/{parse_address(safe, 'safe')}/"))

    def multisig_transactions(self, safe: str, *, nonce_gte: int | None = None, executed: bool | None = None) -> list[MultisigTx]:
        """Every multisig transaction of the Safe (following pagination), optionally filtered."""
        params: dict[str, Any] = {"limit": 100, "offset": 0}
        if nonce_gte is not None:
            params["nonce__gte"] = nonce_gte
        if executed is not None:
            params["executed"] = "true" if executed else "false"
        return list(self._pages(f"/api/v2/safes/{parse_address(safe, 'safe')}/multisig-transactions/", params))

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[MultisigTx]:
        for _ in range(1000):  # a bound, not a limit anyone should reach
            page = self.request("GET", path, params=params)
            results = page.get("results") or []
            yield from (MultisigTx.from_json(r) for r in results)
            if not page.get("next") or not results:
                return
            params = {**params, "offset": params["offset"] + len(results)}

    def multisig_transaction(self, safe_tx_hash: str) -> MultisigTx | None:
        try:
            return MultisigTx.from_json(self.request("GET", f"/api/v2/multisig-transactions/{_hash(safe_tx_hash)}/"))
        except ServiceRejected as exc:
            if exc.status == 404:
                return None
            raise

    def queued(self, safe: str, onchain_nonce: int) -> list[MultisigTx]:
        """Not executed, at or above the on-chain nonce (what owners are still signing)."""
        return [t for t in self.multisig_transactions(safe, nonce_gte=onchain_nonce) if not t.is_executed]

    def next_nonce(self, safe: str, onchain_nonce: int | None = None) -> int:
        """max(on-chain nonce, highest queued nonce + 1)."""
        if onchain_nonce is None:
            onchain_nonce = self.safe_info(safe).nonce
        queued = self.queued(safe, onchain_nonce)
        return max([onchain_nonce, *(t.nonce + 1 for t in queued)])

    def find_proposal(self, safe_tx_hash: str) -> MultisigTx | None:
        return self.multisig_transaction(safe_tx_hash)

    def propose(self, safe: str, tx: SafeTx, safe_tx_hash: str, sender: str, signature: str, origin: str = "upgrader") -> MultisigTx:
        """Post a new multisig transaction with the proposer's signature. If an earlier attempt
        went through but its answer was lost (a timeout, a 5xx after commit) the retry meets a
        duplicate: when the service then holds exactly our transaction, that is success."""
        body = {
            **tx.to_json(),
            "nonce": tx.nonce,
            "contractTransactionHash": _hash(safe_tx_hash),
            "sender": parse_address(sender, "sender"),
            "signature": signature,
            "origin": origin,
        }
        try:
            self.request("POST", f"/api/v2/safes/{parse_address(safe, 'safe')}/multisig-transactions/", body)
        except (ServiceRejected, ServiceUnavailable):
            existing = self.find_proposal(safe_tx_hash)
            if existing is None or existing.tx != tx or not existing.confirmed_by(sender):
                raise
            return existing
        found = self.find_proposal(safe_tx_hash)
        if found is None:
            raise ServiceError(f"the service accepted {safe_tx_hash} but does not list it; check {self.url}")
        return found

    def confirm(self, safe_tx_hash: str, signature: str, owner: str | None = None) -> None:
        """Add an owner's signature. With ``owner`` given, a retry whose earlier attempt went
        through (the service then lists that owner's confirmation) counts as success."""
        try:
            self.request("POST", f"/api/v1/multisig-transactions/{_hash(safe_tx_hash)}/confirmations/", {"signature": signature})
        except (ServiceRejected, ServiceUnavailable):
            existing = self.find_proposal(safe_tx_hash) if owner else None
            if existing is None or not existing.confirmed_by(owner or ""):
                raise


def _hash(value: str) -> str:
    text = str(value).lower()
    if not text.startswith("0x") or len(text) != 66 or any(c not in "0123456789abcdef" for c in text[2:]):
        raise InputError(f"{value!r} is not a safeTxHash (0x + 64 hex digits)")
    return text
