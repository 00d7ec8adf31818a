"""Client-side pacing under a service's requests-per-second limit.

Safe documents its limits per account (docs.safe.global/core-api/how-to-use-api-keys and
api-authentication): unauthenticated requests get 2 per second; with an API key the allowance
is sent back in the ``X-Consumer-RPS`` header, and a request over it answers 429. So the client
starts at a conservative rate for Safe's public hosts, adopts ``X-Consumer-RPS`` as soon as a
service states it, and after a 429 waits the ``Retry-After`` it was given before any request.
One pacer per service origin is shared by every client in the process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

__all__ = ["Pacer", "pacer_for", "SAFE_PUBLIC_HOSTS", "UNAUTHENTICATED_RPS", "AUTHENTICATED_RPS"]

SAFE_PUBLIC_HOSTS = ("api.safe.global",)
UNAUTHENTICATED_RPS = 2.0  # Safe's documented limit without an API key
AUTHENTICATED_RPS = 5.0  # until the service states X-Consumer-RPS (Safe's example plan allows 5)


class Pacer:
    """Spaces request starts at least ``1/rps`` apart (no pacing while ``rps`` is None) and
    holds every request until a ``Retry-After`` has passed."""

    def __init__(self, rps: float | None = None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.rps = rps
        self._clock, self._sleep = clock, sleep
        self._next_at = 0.0
        self._last = float("-inf")  # when the latest request started
        self._lock = threading.Lock()

    def _spacing(self) -> float:
        # 10% under the allowance, so a server counting in sliding one-second windows rarely
        # sees rps + 1 arrivals in one window through timing jitter (a 429 is retried anyway)
        return 1.1 / self.rps if self.rps else 0.0

    def wait_time(self) -> float:
        with self._lock:
            return max(0.0, self._next_at - self._clock())

    def acquire(self, deadline_at: float | None = None) -> bool:
        """Wait for this request's turn; False (without waiting) if the turn comes after the deadline."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next_at)
            if deadline_at is not None and start > deadline_at:
                return False
            self._last = start
            self._next_at = start + self._spacing()
        if start > now:
            self._sleep(start - now)
        return True

    def observe(self, stated_rps: str | None) -> None:
        """Adopt the service's stated allowance (``X-Consumer-RPS``)."""
        try:
            rps = float(stated_rps) if stated_rps else None
        except ValueError:
            return
        if rps and rps > 0:
            with self._lock:
                self.rps = rps
                self._next_at = max(self._next_at, self._last + self._spacing())

    def back_off(self, seconds: float) -> None:
        """A 429 said to wait: nobody sends before then."""
        with self._lock:
            self._next_at = max(self._next_at, self._clock() + max(0.0, seconds))


_pacers: dict[str, Pacer] = {}
_registry_lock = threading.Lock()


def pacer_for(base_url: str, has_api_key: bool) -> Pacer:
    parts = urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    with _registry_lock:
        if origin not in _pacers:
            public = (parts.hostname or "") in SAFE_PUBLIC_HOSTS
            rps = (AUTHENTICATED_RPS if has_api_key else UNAUTHENTICATED_RPS) if public else None
            _pacers[origin] = Pacer(rps)
        return _pacers[origin]


def parse_retry_after(value: str | None, default: float) -> float:
    """Seconds from a ``Retry-After`` header (delta-seconds; an HTTP date counts from now)."""
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())
