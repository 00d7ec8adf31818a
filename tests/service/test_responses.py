"""What Safe's services answer, served over real HTTP by a canned loopback server: the bodies in
``recorded/`` (taken from Safe's code and test data; each file names its source) parse to the
right meaning -- executed or not, the execution hash, confirmations required, approved-hash
confirmations, delegates' expiry, the Safe's version -- in the dialect they belong to; HTML,
non-JSON and wrongly shaped JSON are one clean ServiceBadResponse; 401/403 and a spent monthly
quota name SAFE_API_KEY in one line; ``next`` links are followed (same host only)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from canned_server import canned

from upgrader.safe_service import (
    HttpTransactionService, RetryPolicy, ServiceAuthError, ServiceBadResponse, ServiceQuotaSpent, ServiceRejected,
)

RECORDED = Path(__file__).parent / "recorded"


def recorded(name: str) -> tuple[int, object]:
    data = json.loads((RECORDED / name).read_text())
    assert {"repository", "path", "commit", "what"} <= set(data["source"]), name  # every body names its source
    return data["status"], data["body"]


def body(name: str) -> object:
    return recorded(name)[1]


def client_for(server, kind, chain_id=1, **kw):
    return HttpTransactionService(server.url, kind=kind, chain_id=chain_id, timeout_s=2.0,
                                  retry=RetryPolicy(attempts=3, base_delay_s=0.01, max_delay_s=0.02), **kw)


def _local(link: str, server) -> str:
    """A recorded absolute ``next`` link, pointed at the canned server (same path and query)."""
    parts = urlsplit(link)
    return f"{server.url}{parts.path}?{parts.query}"


def test_every_recorded_file_names_its_source():
    files = sorted(RECORDED.glob("*.json"))
    assert len(files) == 12
    for f in files:
        recorded(f.name)
        assert f.name in (RECORDED / "README.md").read_text()


def test_a_page_with_next_and_a_pending_transaction():
    first, last = body("tx-service-queued-page.json"), body("tx-service-queued-last-page.json")
    pending_safe, other_safe = first["results"][0]["safe"], last["results"][0]["safe"]
    with canned([]) as server:
        first = {**first, "next": _local(first["next"], server)}
        server.replies = [(200, first), (200, last), (200, last)]
        client = client_for(server, "tx-service")
        txs = client.multisig_transactions(pending_safe)
        others = client.multisig_transactions(other_safe)
    (tx,) = txs  # the second page's rows are another Safe's
    assert server.seen[1]["path"] == urlsplit(first["next"]).path + "?" + urlsplit(first["next"]).query  # followed as given
    assert (tx.nonce, tx.is_executed, tx.transaction_hash, tx.confirmations_required, tx.trusted) == (76, False, None, None, False)
    assert [(c.owner, c.signature_type) for c in tx.confirmations] == [("0xBe8C10Dbf4c6148f9834C56C3331f8191f355552", "EOA")]
    assert tx.tx.value == 20000000000000000 and tx.tx.data == b"" and tx.tx.safe_tx_gas == 23392
    assert tx.submission_date == "2021-03-26T10:46:32.834635Z" and json.loads(tx.origin)["name"] == "ETH Wrapper"
    assert [t.nonce for t in others] == [392, 393, 394] and not any(t.is_executed for t in others)


def test_an_executed_transaction_with_an_approved_hash_confirmation():
    from upgrader.safe.signatures import recover_signature
    from upgrader.safe.tx import SafeDomain, safe_tx_hash

    raw = body("tx-service-executed-approved-hash.json")
    with canned([(200, raw)]) as server:
        tx = client_for(server, "tx-service").multisig_transaction(raw["safeTxHash"])
    assert tx.is_executed and tx.transaction_hash == raw["transactionHash"] and tx.block_number == 32106343
    assert tx.confirmations_required == 1 and tx.trusted
    (c,) = tx.confirmations
    assert c.signature_type == "APPROVED_HASH" and recover_signature(tx.safe_tx_hash, c.signature).signer == c.owner
    # the recorded hash is the one we compute for that Safe on Gnosis Chain (safe-eth-py's test pins 1.4.1)
    assert "0x" + safe_tx_hash(tx.tx, SafeDomain(100, tx.safe, "1.4.1")).hex() == raw["safeTxHash"]


def test_delegates_with_an_expiry_date():
    page = body("tx-service-delegates-page.json")
    with canned([(200, page)]) as server:
        found = client_for(server, "tx-service").delegates(safe=page["results"][0]["safe"])
    assert server.seen[0]["path"].startswith("/api/v2/delegates/?safe=")
    assert [(d.label, d.expiry_date, d.expired()) for d in found] == [("sdf", None, False), ("My new delegate2", "2020-01-01T00:00:00Z", True)]


@pytest.mark.parametrize("name, version, l2", [
    ("tx-service-safe-info-l2.json", "1.4.1", True),
    ("tx-service-safe-info-version-null.json", "", False),
])
def test_safe_info(name, version, l2):
    raw = body(name)
    with canned([(200, raw)]) as server:
        info = client_for(server, "tx-service").safe_info(raw["address"])
    assert (info.version, info.l2, info.master_copy, info.fallback_handler) == (version, l2, raw["masterCopy"], raw["fallbackHandler"])
    assert info.nonce == int(raw["nonce"]) and info.owners == tuple(raw["owners"]) and info.guard == raw["guard"]
    assert info.module_guard == "0x0000000000000000000000000000000000000000"


@pytest.mark.parametrize("name, says", [
    ("tx-service-422-checksum.json", "(422): Owner address checksum not valid"),
    ("tx-service-422-proposal.json", "(422): Sender=0x22d491Bde2303f2f43325b2108D26f1eAbA1e32b is not an owner or delegate"),
])
def test_422_bodies_carry_the_service_message(name, says):
    status, raw = recorded(name)
    with canned([(status, raw)]) as server:
        with pytest.raises(ServiceRejected) as err:
            client_for(server, "tx-service").safe_info("0x4103eEB76EBBcB652F8B15d3817EBFC07b664b0c")
    assert says in str(err.value) and err.value.status == 422 and err.value.body == raw
    assert err.value.exit_code == 2 and len(server.seen) == 1  # not retried


@pytest.mark.parametrize("key", [None, "a-spent-key"])
def test_a_spent_monthly_quota_is_one_line_and_not_retried(key, monkeypatch):
    monkeypatch.delenv("SAFE_API_KEY", raising=False)
    status, raw = recorded("tx-service-429-quota.json")
    with canned([(status, raw)]) as server:
        with pytest.raises(ServiceQuotaSpent) as err:
            client_for(server, "tx-service", api_key=key).safe_info("0x4103eEB76EBBcB652F8B15d3817EBFC07b664b0c")
    if key is None:
        assert str(err.value) == "the Safe API's monthly quota is spent; set SAFE_API_KEY"
    else:
        assert str(err.value).startswith("the Safe API's monthly quota of the key in SAFE_API_KEY is spent") and key not in str(err.value)
    assert err.value.exit_code == 2 and len(server.seen) == 1


def test_the_queue_services_page_and_its_pending_transaction():
    page = body("queue-queued-page.json")
    row = page["results"][0]
    with canned([]) as server:
        server.replies = [(200, {**page, "next": _local(page["next"], server)}), (200, {**page, "next": None, "results": []})]
        txs = client_for(server, "queue", chain_id=4).queued(row["safe"], 0)
    assert server.seen[0]["path"].startswith(f"/api/v1/multisig-transactions/queue?safes={row['safe']}%3A4&nonce_order=asc")
    assert "offset=1" in server.seen[1]["path"]
    (tx,) = txs
    assert (tx.nonce, tx.is_executed, tx.transaction_hash, tx.submission_date) == (76, False, None, row["created"])
    assert tx.confirmations_required is None  # the queue's body has none: the Safe's threshold is read from chain
    assert [(c.owner, c.signature_type, c.submission_date) for c in tx.confirmations] == [
        (row["confirmations"][0]["owner"], "EOA", row["confirmations"][0]["created"])]
    assert tx.origin == "ETH Wrapper" and tx.tx.safe_tx_gas == 23392


def test_the_queue_service_shows_execution_only_as_tx_hash():
    raw = body("queue-executed.json")
    with canned([(200, raw)]) as server:
        tx = client_for(server, "queue", chain_id=100).multisig_transaction(raw["safeTxHash"])
    assert server.seen[0]["path"] == f"/api/v1/multisig-transactions/{raw['safeTxHash']}"
    assert tx.is_executed and tx.transaction_hash == raw["txHash"] and tx.submission_date == raw["created"]
    assert [c.signature_type for c in tx.confirmations] == ["APPROVED_HASH"]


def test_the_queue_services_delegates():
    page = body("queue-delegates-page.json")
    with canned([(200, page)]) as server:
        found = client_for(server, "queue", chain_id=4).delegates(safe=page["results"][0]["safe"])
    assert server.seen[0]["path"].startswith("/api/v1/delegates?chainId=4&safe=")
    assert [(d.delegate, d.label, d.expiry_date) for d in found] == [(r["delegate"], r["label"] or "", None) for r in page["results"]]


@pytest.mark.parametrize("kind", ["tx-service", "queue"])
@pytest.mark.parametrize("reply, says", [
    ("<!doctype html><html><body>Welcome to nginx</body></html>", "an HTML page"),
    ("{not json", "a body that is not JSON"),
    ({"results": "nope"}, "field 'results' should be a list"),
    ({"count": 1, "results": [{**body("tx-service-executed-approved-hash.json"), "nonce": "x"}]}, "nonce: 'x' is not a decimal"),
    ({"count": 1, "results": [{k: v for k, v in body("tx-service-executed-approved-hash.json").items() if k != "nonce"}]},
     "field 'nonce' is missing"),
    ([1, 2, 3], "expected a JSON object"),
    ("[" * 100_000 + "]" * 100_000, "a body that is not JSON"),  # never reaches the recursive parser
])
def test_a_200_that_is_not_the_expected_json_is_one_clean_error(kind, reply, says):
    with canned([(200, reply)]) as server:
        with pytest.raises(ServiceBadResponse) as err:
            client_for(server, kind).queued("0xAedF684C1c41B51CbD228116e11484425d2FACB9", 0)
    message = str(err.value)
    assert says in message and "\n" not in message and server.url in message
    assert len(server.seen) == 1  # not retried: it will not get better


@pytest.mark.parametrize("status", [401, 403])
def test_unauthorized_says_to_set_the_api_key(status, monkeypatch):
    monkeypatch.delenv("SAFE_API_KEY", raising=False)
    h = body("queue-executed.json")["safeTxHash"]
    with canned([(status, {"detail": "Authentication credentials were not provided."})]) as server:
        with pytest.raises(ServiceAuthError, match="set SAFE_API_KEY") as err:
            client_for(server, "queue").multisig_transaction(h)
    assert err.value.exit_code == 2 and len(server.seen) == 1
    monkeypatch.setenv("SAFE_API_KEY", "expired-key")
    with canned([(401, "<html>401 Unauthorized</html>")]) as server:
        with pytest.raises(ServiceAuthError, match="check the API key in SAFE_API_KEY") as err:
            client_for(server, "queue").multisig_transaction(h)
    assert "expired-key" not in str(err.value)


def test_a_next_link_to_another_host_is_not_followed(monkeypatch):
    monkeypatch.setenv("SAFE_API_KEY", "never-sent-elsewhere")
    page = body("tx-service-queued-page.json")  # its next is on the (gone) staging host
    with canned([(200, page)]) as server:
        with pytest.raises(ServiceBadResponse, match="another host"):
            client_for(server, "tx-service").multisig_transactions(page["results"][0]["safe"])
    assert len(server.seen) == 1


def test_the_wrong_transaction_for_a_hash_is_refused():
    other = body("tx-service-executed-approved-hash.json")
    with canned([(200, other)]) as server:
        with pytest.raises(ServiceBadResponse, match="answered for"):
            client_for(server, "tx-service").multisig_transaction("0x" + "99" * 32)


def test_a_404_for_a_hash_is_none_and_other_4xx_carry_the_message():
    with canned([(404, {"detail": "Not found."}), (400, {"chainId": ["unsupported"]})]) as server:
        client = client_for(server, "queue")
        assert client.multisig_transaction("0x" + "2e" * 32) is None
        with pytest.raises(ServiceRejected, match=r"Safe Queue Service rejected .*\(400\): chainId: unsupported"):
            client.delegates(safe="0x4103eEB76EBBcB652F8B15d3817EBFC07b664b0c")
