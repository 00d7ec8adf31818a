"""A pool of JSON-RPC endpoints for one network, behind a web3 provider.

- Every call has a timeout; the time a command loses to failing calls is capped by one
  budget, after which it ends with one line (exit 2) naming the endpoints (redacted).
- Reads fail over to the next endpoint on a transport error, a timeout, HTTP 429/5xx or a
  reply that is not JSON-RPC.
- Writes go to one endpoint at a time: ``eth_sendTransaction`` and node-local methods are
  never retried (a retry could send twice); ``eth_sendRawTransaction`` may be retried on
  another endpoint with the very same bytes only.
- With two or more endpoints, the reads that decide safety (``eth_getStorageAt``,
  ``eth_getCode``, ``eth_call``) are pinned to one block, asked of every endpoint and must
  agree; an endpoint that cannot answer at that block (it lags) is left out with a warning,
  never believed.
"""

from __future__ import annotations

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from upgrader.chain.redact import redact, scrub
from upgrader.errors import InputError, NodeUnavailable, UnsafeError

CALL_TIMEOUT_S = 8.0  # one call
FAILURE_BUDGET_S = 10.0  # time one command may lose to failing calls, all endpoints together
COOL_OFF_S = 30.0  # a failed endpoint is asked again only after this, or when no other is left
HEAD_TTL_S = 1.0  # how long a read block number is reused for pinning safety reads
SAFETY_READS = {"eth_getStorageAt": 2, "eth_getCode": 1, "eth_call": 1}  # method -> block param index
WRITES = {"eth_sendTransaction", "eth_sendRawTransaction"}


class TransportError(Exception):
    """The endpoint did not give a JSON-RPC answer (timeout, connection, HTTP status, bad body)."""

    refused: bool = False  # the connection was refused/reset/closed (not a timeout, not an HTTP status)


@dataclass
class Endpoint:
    url: str
    failed_at: float | None = None
    last_failure: str = ""
    chain_id: int | None = None

    @property
    def name(self) -> str:
        return redact(self.url)

    def healthy(self, now: float) -> bool:
        return self.failed_at is None or now - self.failed_at > COOL_OFF_S


@dataclass
class EndpointPool:
    urls: list[str]
    call_timeout_s: float = CALL_TIMEOUT_S
    failure_budget_s: float = FAILURE_BUDGET_S
    endpoints: list[Endpoint] = field(init=False)
    lost_s: float = field(init=False, default=0.0)
    _head: tuple[float, int] | None = field(init=False, default=None)
    _high_water: int = field(init=False, default=0)
    _warned: set[str] = field(init=False, default_factory=set)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    _id: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        if not self.urls:
            raise InputError("no RPC endpoint given; set `rpc:` for the network in ape-config.yaml")
        self.endpoints = [Endpoint(u) for u in self.urls]
        import requests

        self._session = requests.Session()

    # -- naming, without secrets ------------------------------------------------------------
    def names(self) -> str:
        return ", ".join(e.name for e in self.endpoints)

    def scrub(self, text: str) -> str:
        return scrub(text, self.urls)

    @property
    def primary(self) -> Endpoint:
        return self.ordered()[0]

    def ordered(self) -> list[Endpoint]:
        now = time.monotonic()
        return sorted(self.endpoints, key=lambda e: (not e.healthy(now), e.failed_at or 0.0))

    def warn(self, key: str, text: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            sys.stderr.write(f"warning: {self.scrub(text)}\n")

    # -- one call on one endpoint ------------------------------------------------------------
    def call_one(self, ep: Endpoint, method: str, params: Any, timeout: float | None = None) -> dict[str, Any]:
        """The raw JSON-RPC reply (``result`` or ``error``); TransportError otherwise."""
        with self._lock:
            self._id += 1
            rid = self._id
        reply = self._post(ep, {"jsonrpc": "2.0", "id": rid, "method": method, "params": params}, method, timeout)
        if not isinstance(reply, dict) or ("result" not in reply and "error" not in reply):
            ep.failed_at, ep.last_failure = time.monotonic(), f"{method}: not a JSON-RPC reply"
            raise TransportError("not a JSON-RPC reply")
        return reply

    def _post(self, ep: Endpoint, body: Any, what: str, timeout: float | None = None) -> Any:
        import requests

        left = self.failure_budget_s - self.lost_s
        limit = max(0.2, min(timeout or self.call_timeout_s, left if left > 0 else 0.2))
        started = time.monotonic()
        try:
            resp = self._session.post(ep.url, json=body, timeout=(min(limit, 3.0), limit))
            if resp.status_code != 200:
                raise TransportError(f"HTTP {resp.status_code}")
            reply = resp.json()
            ep.failed_at = None
            return reply
        except (requests.RequestException, ValueError, TransportError) as exc:
            why = "timeout" if isinstance(exc, requests.Timeout) else (
                str(exc) if isinstance(exc, TransportError) else type(exc).__name__)
            ep.failed_at, ep.last_failure = time.monotonic(), f"{what}: {why}"
            with self._lock:
                self.lost_s += time.monotonic() - started
            err = TransportError(why)
            err.refused = isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.Timeout)
            err.original = exc  # type: ignore[attr-defined]
            raise err from None

    def _lost_connection(self, exc: TransportError) -> None:
        """With one endpoint, a refused or closed connection is not waited out: it ends the
        command as a lost connection (one line naming the endpoint redacted, ``chain.transport``)."""
        if len(self.endpoints) == 1 and exc.refused:
            raise exc.original  # type: ignore[attr-defined]

    def _out_of_time(self) -> InputError:
        failures = "; ".join(f"{e.name} ({e.last_failure})" for e in self.endpoints if e.last_failure)
        return InputError(f"RPC endpoints failed for {self.failure_budget_s:.0f} s: {failures or self.names()}; "
                          "check the node or add another endpoint to `rpc:`, then run the command again")

    # -- reads with failover -------------------------------------------------------------------
    def request(self, method: str, params: Any) -> dict[str, Any]:
        if method in WRITES or not method.startswith(("eth_", "net_", "web3_")):
            return self._write(method, params)
        if len(self.endpoints) > 1 and method in SAFETY_READS:
            return self._agreed(method, params)
        while True:
            for ep in self.ordered():
                if self.lost_s >= self.failure_budget_s:
                    raise self._out_of_time()
                try:
                    reply = self.call_one(ep, method, params)
                except TransportError as exc:
                    self._lost_connection(exc)
                    continue
                self._observe(method, reply)
                return reply
            if self.lost_s >= self.failure_budget_s:
                raise self._out_of_time()
            time.sleep(min(0.25, self.failure_budget_s - self.lost_s))
            with self._lock:
                self.lost_s += 0.25  # waiting between rounds counts too

    def request_batch(self, calls: list[tuple[str, Any]]) -> list[dict[str, Any]]:
        """Reads in one HTTP batch on a single endpoint; with several, one by one through the
        same rules as single reads (safety reads cross-checked)."""
        if len(self.endpoints) > 1 or any(m in WRITES or not m.startswith("eth_") for m, _ in calls):
            return [self.request(m, p) for m, p in calls]
        ep = self.endpoints[0]
        body = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
        while True:
            try:
                replies = self._post(ep, body, f"batch of {len(calls)}")
                if isinstance(replies, list) and len(replies) == len(calls):
                    return sorted(replies, key=lambda r: r.get("id", 0))
                ep.last_failure = "batch: not a JSON-RPC batch reply"
            except TransportError:
                pass
            if self.lost_s >= self.failure_budget_s:
                raise self._out_of_time()
            time.sleep(0.25)
            with self._lock:
                self.lost_s += 0.25

    def _write(self, method: str, params: Any) -> dict[str, Any]:
        """One endpoint at a time; only a raw transaction (the same bytes) moves on to the next."""
        tried = []
        for ep in self.ordered():
            try:
                return self.call_one(ep, method, params)
            except TransportError as exc:
                self._lost_connection(exc)
                tried.append(f"{ep.name} ({exc})")
                if method != "eth_sendRawTransaction":
                    break
        raise NodeUnavailable(f"{method} got no answer from {', '.join(tried)}; the outcome is unknown: "
                         "re-run the command, it finds what happened")

    def _observe(self, method: str, reply: dict[str, Any]) -> None:
        result = reply.get("result")
        if method == "eth_getTransactionReceipt" and isinstance(result, dict) and result.get("blockNumber"):
            self._high_water = max(self._high_water, int(result["blockNumber"], 16))

    # -- safety reads: one block, every endpoint, one answer ------------------------------------
    def head(self) -> int:
        now = time.monotonic()
        if self._head is not None and now - self._head[0] < HEAD_TTL_S:
            return max(self._head[1], self._high_water)
        numbers = []
        for ep, reply in self._each(self.live(), "eth_blockNumber", []):
            if isinstance(reply, dict) and "result" in reply:
                numbers.append(int(reply["result"], 16))
        if not numbers:
            raise self._out_of_time()
        self._head = (now, max(numbers))
        return max(self._head[1], self._high_water)

    def live(self) -> list[Endpoint]:
        now = time.monotonic()
        alive = [e for e in self.endpoints if e.healthy(now)]
        return alive or self.ordered()[:1]

    def _each(self, eps: list[Endpoint], method: str, params: Any, timeout: float | None = None) -> list[tuple[Endpoint, Any]]:
        def one(ep: Endpoint) -> Any:
            try:
                return self.call_one(ep, method, params, timeout)
            except TransportError as exc:
                return exc

        with ThreadPoolExecutor(max_workers=len(eps)) as pool:
            return list(zip(eps, pool.map(one, eps)))

    def _agreed(self, method: str, params: Any) -> dict[str, Any]:
        index = SAFETY_READS[method]
        pinned = list(params)
        if len(pinned) <= index or pinned[index] in ("latest", "pending", "safe", "finalized", None):
            block = self.head()
            pinned = pinned[:index] + [hex(block)]
        else:
            block = int(pinned[index], 16) if isinstance(pinned[index], str) else int(pinned[index])
        replies = self._each(self.live(), method, pinned)
        if self.lost_s >= self.failure_budget_s and not any(isinstance(r, dict) for _, r in replies):
            raise self._out_of_time()
        answers = [(ep, r) for ep, r in replies if isinstance(r, dict) and "result" in r]
        errors = [(ep, r) for ep, r in replies if isinstance(r, dict) and "error" in r]
        if not answers:
            if errors:
                return errors[0][1]
            return self.request_single(method, pinned)
        for ep, _ in errors:
            self.warn(ep.url + ":lag", f"{ep.name} could not answer at block {block} (behind the others?); "
                                       "its answers are not used")
        for ep, r in replies:
            if isinstance(r, TransportError):
                self.warn(ep.url + ":down", f"{ep.name} did not answer ({r}); safety reads checked on the others only")
        first_ep, first = answers[0]
        for ep, r in answers[1:]:
            if r["result"] != first["result"]:
                raise UnsafeError(f"RPC endpoints disagree on {method} at block {block}: {first_ep.name} and {ep.name} "
                                  "give different answers; do not act until they agree")
        if len(answers) == 1 and len(self.endpoints) > 1:
            self.warn("single", f"only {first_ep.name} answered; safety reads could not be cross-checked")
        return first

    def request_single(self, method: str, params: Any) -> dict[str, Any]:
        for ep in self.ordered():
            try:
                return self.call_one(ep, method, params)
            except TransportError:
                continue
        raise self._out_of_time()

    # -- chain id, asked of every endpoint -------------------------------------------------------
    def check_chain_id(self, expected: int | None, give_up_after_s: float) -> int:
        deadline = time.monotonic() + give_up_after_s
        pending = list(self.endpoints)
        seen: dict[int, Endpoint] = {}
        while pending and time.monotonic() < deadline:
            left = deadline - time.monotonic()
            for ep, reply in self._each(pending, "eth_chainId", [], timeout=max(0.2, min(2.0, left))):
                if isinstance(reply, dict) and "result" in reply:
                    ep.chain_id = int(reply["result"], 16)
                    seen.setdefault(ep.chain_id, ep)
            pending = [e for e in self.endpoints if e.chain_id is None]
            if seen and pending:
                break  # at least one answers; the others are marked down and warned about
            if pending:
                self.lost_s = 0.0  # waiting for a node to come up is not a failing command
                time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
        if not seen:
            why = "; ".join(f"{e.name} ({e.last_failure or 'no answer'})" for e in self.endpoints)
            raise NodeUnavailable(f"RPC endpoint unreachable after {give_up_after_s:.0f} s: {why}; check the URL or start the node")
        for ep in pending:
            self.warn(ep.url + ":down", f"{ep.name} did not answer eth_chainId; using the other endpoints")
        if expected is not None:
            wrong = [e for e in self.endpoints if e.chain_id is not None and e.chain_id != expected]
            if wrong:
                raise InputError(f"RPC endpoint {wrong[0].name} is chain {wrong[0].chain_id} but chain_id in ape-config.yaml "
                                 f"is {expected}; fix the URL or chain_id")
        if len(seen) > 1:
            a, b = list(seen.values())[:2]
            raise InputError(f"RPC endpoints {a.name} (chain {a.chain_id}) and {b.name} (chain {b.chain_id}) are on "
                             "different chains; list endpoints of one network only")
        self.lost_s = 0.0
        return next(iter(seen))
