"""The client's retry policy and error messages, with a scripted transport (no network)."""

from __future__ import annotations

import pytest

import json

from upgrader.safe_service.client import (
    Reply, RetryPolicy, ServiceRejected, ServiceUnavailable, TransactionServiceClient, Transient, error_message,
)
from upgrader.safe_service.dialects import Call
from upgrader.safe_service.pacing import Pacer


class Scripted(TransactionServiceClient):
    """A transport that answers from a script: (status, JSON body) pairs or exceptions."""

    def __init__(self, answers, **policy):
        self.sleeps: list[float] = []
        self.paced: list[float] = []  # waits the pacer asked for (a 429's Retry-After)
        now = [0.0]  # the pacer's own clock, moved only by its waits

        def wait(seconds):
            self.paced.append(seconds)
            now[0] += seconds

        super().__init__(RetryPolicy(jitter=lambda: 1.0, sleep=self.sleeps.append, **policy),
                         pacer=Pacer(clock=lambda: now[0], sleep=wait))
        self.answers = list(answers)
        self.calls = 0

    @property
    def url(self):
        return "https://scripted.invalid"

    def _send(self, method, url, body, timeout_s):
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, payload = answer
        return Reply(status, b"" if payload is None else json.dumps(payload).encode())

    def get(self, path):
        return self.request(Call("GET", path))


def test_retries_5xx_429_and_timeouts_then_succeeds():
    client = Scripted([(503, None), (429, {"detail": "slow down"}), Transient("timed out"), (200, {"ok": 1})])
    assert client.get("/x") == {"ok": 1}
    assert client.calls == 4
    assert client.sleeps == [0.25, 0.5, 1.0]  # exponential (jitter pinned to its maximum)
    assert client.paced == [1.0]  # the 429 (no Retry-After: 1 s) held the next try


def test_backoff_is_capped_and_bounded_in_count():
    client = Scripted([(500, None)] * 10, attempts=8, max_delay_s=1.0, total_s=100.0)
    with pytest.raises(ServiceUnavailable, match="after 8 attempt"):
        client.get("/x")
    assert client.calls == 8 and max(client.sleeps) == 1.0 and len(client.sleeps) == 7


def test_an_outage_is_unavailable_not_bad_input():
    """A 5xx outage past the retries is the service's fault (issue 18): UnavailableError, kind
    'unavailable', not an InputError saying the input is wrong."""
    from upgrader.errors import InputError, UnavailableError

    client = Scripted([(503, {"detail": "Service Unavailable"})] * 6)
    with pytest.raises(ServiceUnavailable) as err:
        client.get("/x")
    assert isinstance(err.value, UnavailableError) and not isinstance(err.value, InputError)
    assert err.value.exit_code == 2 and err.value.kind == "unavailable" and "re-run when it answers" in str(err.value)
    client = Scripted([(400, {"nonFieldErrors": ["bad"]})])
    with pytest.raises(ServiceRejected) as rejected:
        client.get("/x")
    assert isinstance(rejected.value, InputError)  # a refused request is the request's fault


def test_bounded_in_total_time():
    client = Scripted([(500, None)] * 10, attempts=10, base_delay_s=1.0, max_delay_s=8.0, total_s=3.0)
    with pytest.raises(ServiceUnavailable):
        client.get("/x")
    assert sum(client.sleeps) <= 3.0 and client.calls < 10


def test_jitter_spreads_delays():
    import random

    policy = RetryPolicy(jitter=random.Random(1).random)
    delays = [policy.delay(3) for _ in range(20)]
    assert len(set(delays)) == 20 and all(0 <= d <= 2.0 for d in delays)


def test_4xx_carries_the_service_message_and_is_not_retried():
    client = Scripted([(400, {"nonFieldErrors": ["Signer=0xabc is not an owner"], "nonce": ["too low"]})])
    with pytest.raises(ServiceRejected) as err:
        client.request(Call("POST", "/p"))
    assert client.calls == 1 and err.value.status == 400
    assert err.value.service_message == "Signer=0xabc is not an owner; nonce: too low"
    assert "rejected POST /p (400)" in str(err.value)


@pytest.mark.parametrize("body, text", [
    (None, "no message"), ("plain text", "plain text"), ({"detail": "Not found."}, "Not found."),
    ({"code": 1, "message": "Checksum address validation failed", "arguments": ["0x1"]}, "Checksum address validation failed; 0x1"),
])
def test_error_message(body, text):
    assert error_message(body) == text


def test_api_key_is_sent_as_bearer_and_never_shown(monkeypatch):
    from canned_server import canned

    body = {"address": "0x" + "11" * 20, "nonce": "3", "threshold": 1, "owners": [], "version": "1.4.1+L2"}
    monkeypatch.setenv("SAFE_API_KEY", "sekret-key")
    with canned([(200, body)]) as server:
        from upgrader.safe_service.http import HttpTransactionService

        client = HttpTransactionService(server.url + "/tx-service/eth/")
        info = client.safe_info("0x" + "11" * 20)
    (seen,) = server.seen
    assert seen["authorization"] == "Bearer sekret-key"
    assert seen["path"].startswith("/tx-service/eth/api/v1/safes/0x1111")
    assert info.nonce == 3 and info.version == "1.4.1"
    assert "sekret" not in repr(client)
