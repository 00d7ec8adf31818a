"""What real services answer, served over real HTTP by a canned loopback server: recorded
bodies parse in both dialects; HTML, non-JSON and wrongly shaped JSON are one clean
ServiceBadResponse; 401/403 name SAFE_API_KEY; `next` links are followed (same host only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from canned_server import canned

from upgrader.safe_service import (
    HttpTransactionService, RetryPolicy, ServiceAuthError, ServiceBadResponse, ServiceRejected,
)

RECORDED = Path(__file__).parent / "recorded"
SAFE = "0x5298A93734C3D979eF1f23F78eBB871879A21F22"
HASH = "0x" + "2e" * 32
DIALECTS = ["tx-service", "queue"]


def recorded(name: str, with_chain_id: bool = False):
    body = json.loads((RECORDED / name).read_text())

    def add(obj):
        if isinstance(obj, dict):
            return {**{k: add(v) for k, v in obj.items()}, "chainId": "1"}
        return [add(x) for x in obj] if isinstance(obj, list) else obj

    return add(body) if with_chain_id else body


def client_for(server, kind, **kw):
    return HttpTransactionService(server.url, kind=kind, chain_id=1, timeout_s=2.0,
                                  retry=RetryPolicy(attempts=3, base_delay_s=0.01, max_delay_s=0.02), **kw)


@pytest.mark.parametrize("kind", DIALECTS)
@pytest.mark.parametrize("with_chain_id", [False, True])
def test_recorded_bodies_parse(kind, with_chain_id):
    page = recorded("multisig-transactions-page.json", with_chain_id)
    last = {**page, "next": None, "results": page["results"][:1]}
    page = {**page, "next": page["next"].replace("https://api.safe.global", "{base}")}
    one = recorded("multisig-transaction.json", with_chain_id)
    one = {**one, "safeTxHash": HASH}
    delegates = recorded("delegates-page.json", with_chain_id)
    with canned([]) as server:
        page["next"] = page["next"].replace("{base}", server.url)
        server.replies = [(200, page), (200, last), (200, one), (200, delegates), (200, delegates)]
        client = client_for(server, kind)
        txs = client.multisig_transactions(SAFE)
        got = client.multisig_transaction(HASH)
        delegates_seen = client.delegates(safe=SAFE)
    raw = page["results"]
    assert [t.nonce for t in txs] == [int(r["nonce"]) for r in raw] + [int(last["results"][0]["nonce"])]
    queued, executed = txs[0], txs[1]
    assert queued.tx.operation == 1 and queued.tx.data == bytes.fromhex(raw[0]["data"][2:])
    assert queued.proposed_by_delegate == raw[0]["proposedByDelegate"] and queued.proposer == raw[0]["proposer"]
    assert executed.is_executed and executed.block_number == raw[1]["blockNumber"] and executed.tx.data == b""
    assert [c.signature_type for c in executed.confirmations] == ["EOA", "APPROVED_HASH"]
    assert got is not None and got.safe_tx_hash == HASH and got.confirmations_required == 2
    assert [(d.delegate, d.safe, d.label) for d in delegates_seen] == [
        (r["delegate"], r["safe"], r["label"]) for r in delegates["results"]]
    paths = [s["path"] for s in server.seen]
    assert "offset=2" in paths[1]  # the second page is the `next` link, followed as given
    if kind == "queue":
        assert paths[0].startswith(f"/api/v1/safes/{SAFE}/multisig-transactions?") and "chainId=1" in paths[0]
        assert paths[2] == f"/api/v1/multisig-transactions/{HASH}?chainId=1"
    else:
        assert paths[0].startswith(f"/api/v2/safes/{SAFE}/multisig-transactions/?")
        assert paths[2] == f"/api/v2/multisig-transactions/{HASH}/"


def test_recorded_safe_info():
    with canned([(200, recorded("safe-info.json"))]) as server:
        info = client_for(server, "tx-service").safe_info(SAFE)
    assert (info.nonce, info.threshold, info.version, len(info.owners)) == (42, 2, "1.4.1", 3)


@pytest.mark.parametrize("kind", DIALECTS)
@pytest.mark.parametrize("body, says", [
    ("<!doctype html><html><body>Welcome to nginx</body></html>", "an HTML page"),
    ("{not json", "a body that is not JSON"),
    ({"results": "nope"}, "field 'results' should be a list"),
    ({"count": 1, "results": [{"safe": SAFE, "nonce": "x", "to": SAFE, "operation": 0, "safeTxHash": HASH}]},
     "nonce: 'x' is not a decimal"),
    ({"count": 1, "results": [{"safe": SAFE, "to": SAFE, "operation": 0}]}, "field 'nonce' is missing"),
    ([1, 2, 3], "expected a JSON object"),
    ("[" * 100_000 + "]" * 100_000, "a body that is not JSON"),  # never reaches the recursive parser
])
def test_a_200_that_is_not_the_expected_json_is_one_clean_error(kind, body, says):
    with canned([(200, body)]) as server:
        with pytest.raises(ServiceBadResponse) as err:
            client_for(server, kind).multisig_transactions(SAFE)
    message = str(err.value)
    assert says in message and "\n" not in message and server.url in message
    assert len(server.seen) == 1  # not retried: it will not get better


@pytest.mark.parametrize("status", [401, 403])
def test_unauthorized_says_to_set_the_api_key(status, monkeypatch):
    monkeypatch.delenv("SAFE_API_KEY", raising=False)
    with canned([(status, {"detail": "Authentication credentials were not provided."})]) as server:
        with pytest.raises(ServiceAuthError, match="set SAFE_API_KEY") as err:
            client_for(server, "queue").multisig_transaction(HASH)
    assert err.value.exit_code == 2 and len(server.seen) == 1
    monkeypatch.setenv("SAFE_API_KEY", "expired-key")
    with canned([(401, "<html>401 Unauthorized</html>")]) as server:
        with pytest.raises(ServiceAuthError, match="check the API key in SAFE_API_KEY") as err:
            client_for(server, "queue").multisig_transaction(HASH)
    assert "expired-key" not in str(err.value)


def test_a_next_link_to_another_host_is_not_followed(monkeypatch):
    monkeypatch.setenv("SAFE_API_KEY", "never-sent-elsewhere")
    page = {"count": 2, "next": "https://elsewhere.example/api/v2/page2", "results": []}
    with canned([(200, page)]) as server:
        with pytest.raises(ServiceBadResponse, match="another host"):
            client_for(server, "tx-service").delegates()
    assert len(server.seen) == 1


def test_the_wrong_transaction_for_a_hash_is_refused():
    other = {**recorded("multisig-transaction.json"), "safeTxHash": "0x" + "99" * 32}
    with canned([(200, other)]) as server:
        with pytest.raises(ServiceBadResponse, match="answered for"):
            client_for(server, "queue").multisig_transaction(HASH)


def test_a_404_for_a_hash_is_none_and_other_4xx_carry_the_message():
    with canned([(404, {"detail": "Not found."}), (400, {"chainId": ["unsupported"]})]) as server:
        client = client_for(server, "queue")
        assert client.multisig_transaction(HASH) is None
        with pytest.raises(ServiceRejected, match=r"Safe Queue Service rejected .*\(400\): chainId: unsupported"):
            client.delegates()
