"""Transient service failures (503s, 429s, delays past the client timeout, answers lost after
the service committed) end in exactly one proposal; exhaustion is bounded and leaves no file."""

from __future__ import annotations

import time

import pytest
from service_helpers import proposals

from upgrader.stages.propose import propose
from upgrader.stages.sign.signer import KeySigner
from upgrader.safe_service import ServiceRejected, ServiceUnavailable

pytestmark = pytest.mark.chain


@pytest.fixture
def dialect():
    """Retries are the client's, the same in both dialects: these run in the Queue dialect only
    (the flow and rule tests run in both)."""
    return "queue"


def _posts(server):
    return [r for r in server.service.requests if r[0] == "POST"]


@pytest.mark.parametrize("fault", [
    dict(status=503, count=2),
    dict(status=429, count=2),
    dict(status=502, count=1, method="GET"),
    dict(status=None, count=1, delay_s=1.5, method="POST"),  # past the 1 s client timeout, then committed
    dict(status=503, count=1, method="POST", after=True),  # committed, answer lost
    dict(status=503, count=2, delay_s=0.3),
])
def test_transient_failures_end_in_exactly_one_proposal(ctx, simulated_plan, client, service, keys, fault):
    service.service.inject(**fault)
    result = propose(ctx, simulated_plan, client, KeySigner(keys.owners[0]))
    listed = client.multisig_transactions(result.safe, executed=False)
    assert [t.safe_tx_hash for t in listed] == [result.safe_tx_hash]
    assert len(listed[0].confirmations) == 1
    assert {p.name for p in proposals(ctx)} == {f"{result.safe_tx_hash}.json", f"{result.safe_tx_hash}.review.md"}
    if fault.get("delay_s", 0) > 1:  # let the delayed request finish on the server
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len([r for r in _posts(service) if r[2] == 201]) < 2:
            time.sleep(0.05)
        assert [t.safe_tx_hash for t in client.multisig_transactions(result.safe, executed=False)] == [result.safe_tx_hash]
    statuses = [r[2] for r in service.service.requests]
    if fault["status"]:
        assert fault["status"] in statuses
    if fault.get("after") or fault.get("delay_s", 0) > 1:
        # both POSTs were processed; the second is answered 201 like the first (the Transaction
        # Service's get_or_create, history/serializers.py l. 355), and one transaction remains
        assert sum(1 for r in _posts(service) if r[2] == 201) >= (2 if fault.get("delay_s", 0) > 1 else 1)


def test_exhausted_retries_are_bounded_and_leave_no_file(ctx, simulated_plan, client, service, keys):
    service.service.inject(status=503, count=1000, method="POST")
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable, match="kept failing .*503.* after 6 attempt"):
        propose(ctx, simulated_plan, client, KeySigner(keys.owners[0]))
    assert time.monotonic() - started < 10
    assert len(_posts(service)) == 6
    assert proposals(ctx) == []
    assert client.multisig_transactions(simulated_plan["safe"]["address"], executed=False) == []


def test_a_4xx_is_not_retried(ctx, simulated_plan, client, service, keys):
    service.service.inject(status=400, count=1, method="POST")
    with pytest.raises(ServiceRejected, match=r"\(400\): injected failure 400"):
        propose(ctx, simulated_plan, client, KeySigner(keys.owners[0]))
    assert len(_posts(service)) == 1
    assert proposals(ctx) == []


def test_unreachable_service(ctx, simulated_plan, keys):
    from upgrader.safe_service import HttpTransactionService, RetryPolicy

    dead = HttpTransactionService("http://127.0.0.1:9", retry=RetryPolicy(attempts=3, base_delay_s=0.01))
    with pytest.raises(ServiceUnavailable, match="127.0.0.1:9 kept failing .*cannot connect"):
        propose(ctx, simulated_plan, dead, KeySigner(keys.owners[0]))
    assert proposals(ctx) == []
