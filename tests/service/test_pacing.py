"""Rate limits and the command's deadline, against the real local service over HTTP: a burst
of 20 requests at a service allowing 5 per second gets no 429 through to the caller, whether
the service states its allowance (X-Consumer-RPS) or only answers 429 with Retry-After."""

from __future__ import annotations

import time

import pytest

from upgrader.safe_service import HttpTransactionService, RetryPolicy, ServiceUnavailable
from upgrader.safe_service.pacing import Pacer

pytestmark = pytest.mark.chain


@pytest.fixture
def limited(chain, anvil, tmp_path, request):
    from upgrader.safe_service.local.server import LocalServiceServer, LocalTransactionService, RateLimit

    svc = LocalTransactionService(anvil.url, tmp_path / "state.json")
    with LocalServiceServer(svc, rate_limit=RateLimit(5, advertise=request.param)) as server:
        yield server


@pytest.mark.parametrize("limited, kind", [(True, "queue"), (False, "tx-service")], indirect=["limited"])
def test_a_burst_of_20_gets_no_429_through(limited, chain, kind):
    client = HttpTransactionService(limited.url, kind=kind, chain_id=chain.w3.eth.chain_id, timeout_s=2.0,
                                    pacer=Pacer(), retry=RetryPolicy(attempts=6, base_delay_s=0.05, max_delay_s=0.2))
    started = time.monotonic()
    for _ in range(20):
        assert client.multisig_transactions(chain.safe, executed=False) == []
    elapsed = time.monotonic() - started
    statuses = [r[2] for r in limited.service.requests]
    answered = [s for s in statuses if s == 200]
    assert len(answered) == 20
    if kind == "queue":  # the service stated 5/s: the client paced itself (unpaced, ~15 of 20 would meet a 429;
        assert statuses.count(429) <= 2  # server-side timer jitter may still catch one, which is retried)
    else:  # no stated allowance: the service said 429 + Retry-After and the client waited
        assert 429 in statuses
    assert elapsed >= 2.5  # 20 requests at 5/s cannot take much under 4 s


def test_the_deadline_bounds_the_whole_command(service, chain):
    service.service.inject(status=None, count=50, delay_s=3.0)
    client = HttpTransactionService(service.url, kind="queue", chain_id=chain.w3.eth.chain_id, timeout_s=10.0,
                                    deadline_s=1.5, retry=RetryPolicy(attempts=6, base_delay_s=0.05))
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable, match=r"deadline is 1.5 s"):
        client.multisig_transactions(chain.safe, executed=False)
    assert time.monotonic() - started < 2.5


def test_pacer_spaces_requests_and_honours_retry_after():
    now = [0.0]
    slept: list[float] = []

    def sleep(s):
        slept.append(s)
        now[0] += s

    pacer = Pacer(rps=4, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        pacer.acquire()
    assert slept == pytest.approx([0.275, 0.275])
    pacer.back_off(2.0)
    pacer.acquire()
    assert now[0] == pytest.approx(2.55)
    assert pacer.acquire(deadline_at=now[0]) is False  # the next turn is past the deadline
    pacer.observe("10")
    assert pacer.rps == 10


def test_safes_public_host_is_paced_at_2_per_second_without_a_key(monkeypatch):
    """Safe's documented allowance without an API key is 2 requests/s (pacing.py); with a key the
    client starts at 5/s until the service states its own (X-Consumer-RPS); other hosts are not
    paced until they say so."""
    from upgrader.config import NetworkConfig
    from upgrader.safe_service import pacing
    from upgrader.stages.safe_api import open_client

    monkeypatch.setattr(pacing, "_pacers", {})
    monkeypatch.delenv("SAFE_API_KEY", raising=False)
    monkeypatch.delenv("UPGRADER_SAFE_API_ORIGIN", raising=False)
    client = open_client(NetworkConfig("n", "http://127.0.0.1:1", 11155111, None), 11155111)
    assert client.url == "https://api.safe.global/tx-service/sep" and client.pacer.rps == 2.0
    monkeypatch.setattr(pacing, "_pacers", {})
    monkeypatch.setenv("SAFE_API_KEY", "k")
    assert open_client(NetworkConfig("n", "http://127.0.0.1:1", 1, None), 1).pacer.rps == 5.0
    assert pacing.pacer_for("http://127.0.0.1:5555", False).rps is None
