"""Concurrent runs (issue 12, "races"): real `upgrader` processes against the local Safe
Transaction Service and the session Anvil."""

from __future__ import annotations

import json

import pytest
from faults_helpers import RewrittenService, finish, key_signer, one_error_line, owners, simulated_plan

pytestmark = pytest.mark.chain


def _client(service):
    from upgrader.safe_service import HttpTransactionService

    return HttpTransactionService(service.url)


def _post(service, cli, plan, nonce, owner):
    """Queue the plan's batch at ``nonce`` straight through the service (as a racing run did)."""
    from upgrader.stages.batch import plan_safe_tx
    from upgrader.safe.tx import SafeDomain, safe_tx_hash

    tx = plan_safe_tx(plan, nonce)
    h = "0x" + safe_tx_hash(tx, SafeDomain(plan["chain_id"], plan["safe"]["address"], plan["safe"]["version"])).hex()
    signer = key_signer(owner)
    from upgrader.stages.sign.signer import signed

    _client(service).propose(plan["safe"]["address"], tx, h, signer.address, signed(signer, bytes.fromhex(h[2:])))
    return h


def test_three_concurrent_proposes_queue_one_transaction(cli, service):
    path, plan = simulated_plan(cli)
    service.service.inject(status=None, count=9, delay_s=0.3, method="GET")  # widen find -> post
    signers = owners(cli)
    runs = finish([cli.spawn("propose", str(path), "--sender", s, "--json") for s in signers])
    assert all(code == 0 for code, _, _ in runs), runs
    results = [json.loads(out) for _, out, _ in runs]
    assert sum(r["created"] for r in results) == 1, results
    assert len({r["safe_tx_hash"] for r in results}) == 1
    creator = next(s for s, r in zip(signers, results) if r["created"])
    assert {r["proposer"] for r in results} == {creator}
    queued = _client(service).multisig_transactions(plan["safe"]["address"], executed=False)
    assert [t.safe_tx_hash for t in queued] == [results[0]["safe_tx_hash"]]
    assert len(list((cli.folder / "proposals").glob("0x*.json"))) == 1


def test_repropose_with_another_sender_names_the_real_proposer(cli, service):
    path, _ = simulated_plan(cli)
    first, second = owners(cli)[:2]
    made = cli.run("propose", str(path), "--sender", first, "--json")
    assert made.exit_code == 0, made.stderr
    again = cli.run("propose", str(path), "--sender", second, "--json")
    assert again.exit_code == 0, again.stderr
    out = json.loads(again.stdout)
    assert out["created"] is False and out["proposer"] == first
    human = cli.run("propose", str(path), "--sender", second)
    assert human.exit_code == 0
    assert f"proposed by {first}" in human.stdout and second not in human.stdout


def test_propose_review_is_red_when_the_plan_is_queued_twice(cli, service):
    path, plan = simulated_plan(cli)
    owner = owners(cli)[0]
    h0, h1 = _post(service, cli, plan, 0, owner), _post(service, cli, plan, 1, owner)
    refused = cli.run("propose", str(path), "--sender", owner, "--json")
    assert refused.exit_code == 1 and "duplicate-proposal" in refused.stderr, refused.stderr
    result = cli.run("propose", str(path), "--sender", owner, "--accept-red", "h1 is rejected next", "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["safe_tx_hash"], out["created"], out["review_ok"]) == (h0, False, False)
    review = (cli.folder / "proposals" / f"{h0}.review.md").read_text()
    assert "`duplicate-proposal`" in review and h1 in review


def test_review_of_the_second_copy_is_red(cli, service):
    from upgrader.safe.txbuilder import add_checksum, dump_batch_file

    path, plan = simulated_plan(cli)
    made = cli.run("propose", str(path), "--json")
    assert made.exit_code == 0, made.stderr
    h0 = json.loads(made.stdout)["safe_tx_hash"]
    clean = cli.run("review", h0, "--plan", str(path), "--offline", "--json")
    assert clean.exit_code == 0, clean.stdout
    h1 = _post(service, cli, plan, 1, owners(cli)[0])
    batch = json.loads((cli.folder / "proposals" / f"{h0}.json").read_text())
    batch["meta"]["nonce"] = "1"
    (cli.folder / "proposals" / f"{h1}.json").write_text(dump_batch_file(add_checksum(batch)))
    for own, other in ((h1, h0), (h0, h1)):
        result = cli.run("review", own, "--plan", str(path), "--offline", "--json")
        assert result.exit_code == 1
        red = [w for w in json.loads(result.stdout)["warnings"] if w["kind"] == "duplicate-proposal"]
        assert len(red) == 1 and other in red[0]["message"] and red[0]["severity"] == "red"


def test_two_concurrent_executes_one_wins_the_other_says_so(cli, service):
    path, _ = simulated_plan(cli)
    first, second = owners(cli)[:2]
    made = cli.run("propose", str(path), "--sender", first, "--json")
    h = json.loads(made.stdout)["safe_tx_hash"]
    assert cli.run("confirm", h, "--sender", second).exit_code == 0
    runs = finish([cli.spawn("execute", h, "--json") for _ in range(2)])
    assert sorted(code for code, _, _ in runs) == [0, 2], runs
    (_, won, _), (_, _, lost) = sorted(runs)
    winner_tx = json.loads(won)["tx"]
    line = one_error_line(lost)
    assert f"was already executed in tx {winner_tx}" in line and "by another run" in line
    history = [p["history"] for p in json.loads(cli.manifest_path.read_text())["proxies"]]
    assert sorted(len(h_) for h_ in history) == [0, 1, 1]  # recorded once, by the winner


def test_review_through_the_service_is_red_for_either_copy(cli, service):
    _, plan = simulated_plan(cli)
    owner = owners(cli)[0]
    h0, h1 = _post(service, cli, plan, 0, owner), _post(service, cli, plan, 1, owner)
    for own, other in ((h1, h0), (h0, h1)):
        result = cli.run("review", own, "--tx-service", service.url, "--json")
        assert result.exit_code == 1, result.stderr
        red = [w for w in json.loads(result.stdout)["warnings"] if w["kind"] == "duplicate-proposal"]
        assert len(red) == 1 and other in red[0]["message"]


def test_sync_while_execute_waits_for_its_receipt_records_once(cli, service, anvil):
    """Issue 22, point 1: `sync` records the upgrade while `execute` (its RPC held at the
    receipt by a gate in front of the same Anvil) waits; then execute records: one entry."""
    import threading

    from fault_proxy import FaultProxy, Gate

    path, _ = simulated_plan(cli)
    first, second = owners(cli)[:2]
    h = json.loads(cli.run("propose", str(path), "--sender", first, "--json").stdout)["safe_tx_hash"]
    assert cli.run("confirm", h, "--sender", second).exit_code == 0
    opened, reached = threading.Event(), threading.Event()
    with FaultProxy(anvil.url) as proxy:
        proxy.fault("eth_getTransactionReceipt", Gate(opened, reached))
        execute = cli.spawn("execute", h, "--json", env={"UPGRADER_RPC_LOCAL": proxy.url()})
        try:
            assert reached.wait(120), "execute never asked for its receipt"
            synced = cli.run("sync", "--json")  # straight to the Anvil: the upgrade is mined
            assert synced.exit_code == 0, synced.stderr
            assert len(json.loads(synced.stdout)["recorded"]) == 2, synced.stdout
        finally:
            opened.set()
        (code, out, err), = finish([execute])
    assert code == 0, err
    history = [p["history"] for p in json.loads(cli.manifest_path.read_text())["proxies"]]
    assert sorted(len(h_) for h_ in history) == [0, 1, 1], history  # once each, not twice
    assert all(e["from_implementation"] != e["to_implementation"] for h_ in history for e in h_)
    assert json.loads(out)["tx"] in {e["tx"] for h_ in history for e in h_}
    again = cli.run("sync", "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["recorded"] == []


def test_propose_at_another_nonce_than_the_queued_one_says_so(cli, service):
    """Issue 22, point 4: `propose PLAN --nonce 5` on a plan queued at nonce 0 is exit 2 naming
    both nonces and the queued hash (was exit 0, "already proposed at nonce 0")."""
    path, _ = simulated_plan(cli)
    made = cli.run("propose", str(path), "--json")
    assert made.exit_code == 0, made.stderr
    h0 = json.loads(made.stdout)["safe_tx_hash"]
    before = cli.files()
    again = cli.run("propose", str(path), "--nonce", "5")
    assert again.exit_code == 2, again.stdout + again.stderr
    line = one_error_line(again.stderr)
    assert "nonce 0" in line and "--nonce 5" in line and h0 in line, line
    assert cli.files() == before
    queued = _client(service).multisig_transactions(json.loads(path.read_text())["safe"]["address"], executed=False)
    assert [t.safe_tx_hash for t in queued] == [h0]
    same = cli.run("propose", str(path), "--nonce", "0", "--json")  # the nonce it is queued at: found, exit 0
    assert same.exit_code == 0 and json.loads(same.stdout)["safe_tx_hash"] == h0


ANOTHER = {"safe": "0x" + "5a" * 20, "safeTxHash": "0x" + "cd" * 32}


@pytest.mark.parametrize("field", ["safe", "safeTxHash"])
def test_service_answer_about_another_safe_or_hash(cli, service, field):
    """Issue 22, point 2: the service answers `GET multisig-transactions/<h>` with another Safe's
    transaction (or another hash): execute is exit 2 naming both, nothing sent or written (was
    BadFunctionCallOutput, exit 1)."""
    path, _ = simulated_plan(cli)
    first, second = owners(cli)[:2]
    h = json.loads(cli.run("propose", str(path), "--sender", first, "--json").stdout)["safe_tx_hash"]
    assert cli.run("confirm", h, "--sender", second).exit_code == 0
    other = ANOTHER[field]
    before = cli.files()
    with RewrittenService(service.url, h, {field: other}) as url:
        result = cli.run("execute", h, env={"UPGRADER_TX_SERVICE": url})
    assert result.exit_code == 2, result.stdout + result.stderr
    line = one_error_line(result.stderr)
    assert h in line and other.lower() in line.lower(), line
    if field == "safe":
        assert json.loads(cli.manifest_path.read_text())["safe"]["address"] in line
    assert cli.files() == before


@pytest.mark.parametrize("json_out", [False, True])
@pytest.mark.parametrize("field", ["safe", "safeTxHash"])
def test_review_of_a_batch_file_checks_the_service_answer(cli, service, field, json_out):
    """Issue 22, point 4: `review <batch file> --tx-service` while the service holds another
    Safe's transaction (or another safeTxHash) under the batch's hash is exit 2 naming both (was
    exit 0: the answer was only read for the signers section, its errors swallowed)."""
    path, _ = simulated_plan(cli)
    h = json.loads(cli.run("propose", str(path), "--json").stdout)["safe_tx_hash"]
    batch = cli.folder / "proposals" / f"{h}.json"
    honest = cli.run("review", str(batch), "--tx-service", service.url, "--json")
    assert honest.exit_code == 0, honest.stdout + honest.stderr  # the same file and service, unchanged: green
    other = ANOTHER[field]
    before = cli.files()
    with RewrittenService(service.url, h, {field: other}) as url:
        result = cli.run("review", str(batch), "--tx-service", url, *(["--json"] if json_out else []))
    assert result.exit_code == 2, result.stdout + result.stderr
    line = one_error_line(result.stderr)
    assert h in line and other.lower() in line.lower(), line
    if field == "safe":
        assert json.loads(cli.manifest_path.read_text())["safe"]["address"] in line
    if json_out:
        assert json.loads(result.stdout)["error"]["kind"] == "input"
    else:
        assert result.stdout == ""
    assert cli.files() == before


def test_review_of_a_batch_file_is_red_when_the_service_holds_other_fields(cli, service):
    """The service holds this Safe's transaction under the batch's hash, with another value: a red
    `service-mismatch` (exit 1), the rest of the review shown."""
    path, _ = simulated_plan(cli)
    h = json.loads(cli.run("propose", str(path), "--json").stdout)["safe_tx_hash"]
    batch = cli.folder / "proposals" / f"{h}.json"
    with RewrittenService(service.url, h, {"value": "1"}) as url:
        result = cli.run("review", str(batch), "--tx-service", url, "--json")
    assert result.exit_code == 1, result.stdout + result.stderr
    red = [w for w in json.loads(result.stdout)["warnings"] if w["severity"] == "red"]
    assert [w["kind"] for w in red] == ["service-mismatch"] and h in red[0]["message"], red
