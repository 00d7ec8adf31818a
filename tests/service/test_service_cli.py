"""`upgrader propose`, `confirm`, `execute` end to end through the CLI on Anvil: ape test
accounts sign, the local service holds the proposal, status ends in_sync."""

from __future__ import annotations

import json

import pytest
from service_helpers import local_deployments

pytestmark = pytest.mark.chain


@pytest.fixture
def run(chain, anvil, service, tmp_path):
    from typer.testing import CliRunner

    from upgrader.cli.main import app

    folder = local_deployments(chain, tmp_path / "cli-deployments")
    env = {"UPGRADER_DEPLOYMENTS": str(folder), "UPGRADER_RPC_LOCAL": anvil.url, "UPGRADER_TX_SERVICE": service.url,
           "COLUMNS": "200", "NO_COLOR": "1"}

    def invoke(*args):
        return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)

    invoke.folder = folder / "local"
    return invoke


def test_cli_propose_confirm_execute(run, chain):
    from pathlib import Path

    from upgrader.stages.context import NetworkContext  # noqa: F401  (import check)

    planned = run("plan", "--json")
    assert planned.exit_code == 0, planned.stderr
    plan_path = Path(json.loads(planned.stdout)["path"])
    plan = json.loads(plan_path.read_text())

    refused = run("propose", str(plan_path), "--json")
    assert refused.exit_code == 2 and "no simulation" in refused.stderr
    assert json.loads(refused.stdout)["error"]["kind"] == "input"

    simulated = run("simulate", str(plan_path), "--json")
    assert simulated.exit_code == 0, simulated.stdout + simulated.stderr

    owners = sorted(chain.owners, key=lambda o: int(o, 16))
    proposed = run("propose", str(plan_path), "--sender", owners[0], "--json")
    assert proposed.exit_code == 0, proposed.stderr
    out = json.loads(proposed.stdout)
    h = out["safe_tx_hash"]
    assert out["created"] and out["proposer"] == owners[0] and Path(out["proposal"]).is_file()

    again = run("propose", str(plan_path), "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["created"] is False
    assert json.loads(again.stdout)["safe_tx_hash"] == h

    short = run("execute", h)
    assert short.exit_code == 2 and "1 of 2 owner confirmations" in short.stderr

    confirmed = run("confirm", h, "--sender", owners[1], "--json")
    assert confirmed.exit_code == 0, confirmed.stderr
    assert json.loads(confirmed.stdout)["confirmations"] == 2

    executed = run("execute", h)
    assert executed.exit_code == 0, executed.stderr
    assert "executed" in executed.stdout

    status = json.loads(run("status", "--json").stdout)
    assert {p["state"] for p in status["proxies"]} == {"in_sync"}
    history = json.loads((run.folder / "manifest.json").read_text())
    assert any(p["history"] and p["history"][0]["safe_tx_hash"] == h for p in history["proxies"])

    twice = run("execute", h)  # recorded already: says so, naming the transaction, sends nothing
    recorded = next(p["history"][0] for p in history["proxies"] if p["history"])
    assert twice.exit_code == 2 and f"already executed in tx {recorded['tx']}" in twice.stderr
    assert "Traceback" not in twice.stderr


def _plan_with_simulation(run):
    from pathlib import Path

    planned = run("plan", "--json")
    assert planned.exit_code == 0, planned.stderr
    plan_path = Path(json.loads(planned.stdout)["path"])

    simulated = run("simulate", str(plan_path), "--json")
    assert simulated.exit_code == 0, simulated.stdout + simulated.stderr
    return plan_path


def test_cli_delegate_add_propose_list_remove(run, chain, keys, service):
    owner, bot = sorted(chain.owners, key=lambda o: int(o, 16))[0], keys.outsider.address
    added = run("delegate", "add", "--sender", owner, "--delegate", bot, "--label", "ci", "--json")
    assert added.exit_code == 0, added.stderr
    assert json.loads(added.stdout)["action"] == "added"
    listed = json.loads(run("delegate", "list", "--json").stdout)
    assert [(d["delegate"], d["delegator"], d["label"]) for d in listed["delegates"]] == [(bot, owner, "ci")]

    plan_path = _plan_with_simulation(run)
    proposed = run("propose", str(plan_path), "--sender", bot, "--json")
    assert proposed.exit_code == 0, proposed.stderr
    out = json.loads(proposed.stdout)
    assert out["proposed_by"] == f"proposed by delegate {bot} of owner {owner}" and out["proposer"] == bot
    again = json.loads(run("propose", str(plan_path), "--sender", owner, "--json").stdout)  # found, not re-posted
    assert again["created"] is False and again["proposer"] == bot and again["proposed_by"] == out["proposed_by"]
    reviewed = run("review", out["safe_tx_hash"], "--tx-service", service.url, "--json")
    assert reviewed.exit_code in (0, 1), reviewed.stderr
    assert json.loads(reviewed.stdout)["signing"]["proposer"] == f"proposed by delegate {bot} of owner {owner}"

    not_owner = run("delegate", "add", "--sender", bot, "--delegate", owner)
    assert not_owner.exit_code == 2 and "not an owner" in not_owner.stderr and "Traceback" not in not_owner.stderr
    removed = run("delegate", "remove", "--sender", owner, "--delegate", bot)
    assert removed.exit_code == 0 and "removed" in removed.stdout
    assert json.loads(run("delegate", "list", "--json").stdout)["delegates"] == []


@pytest.mark.parametrize("reply, says", [
    ((200, "<html><body>Service moved</body></html>"), "answered GET .* with an HTML page"),
    ((200, {"unexpected": True}), "JSON of another shape"),
    ((401, {"detail": "Invalid token."}), "set SAFE_API_KEY"),
])
def test_cli_bad_service_answers_are_exit_2_and_one_line(run, reply, says, monkeypatch):
    import re

    from canned_server import canned

    monkeypatch.delenv("SAFE_API_KEY", raising=False)
    with canned([reply]) as server:
        result = run("confirm", "0x" + "ab" * 32, "--sender", "0", "--tx-service", server.url)
    assert result.exit_code == 2, result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and re.search(says, lines[0]) and "Traceback" not in result.stderr


@pytest.mark.parametrize("reply, kind, says", [
    ((503, "<html>503 Service Temporarily Unavailable</html>"), "unavailable", "kept failing .*HTTP 503.*re-run when it answers"),
    ((429, {"detail": "Monthly quota exceeded."}), "input", "^error: the Safe API's monthly quota is spent; set SAFE_API_KEY$"),
])
def test_cli_an_outage_is_not_bad_input_and_a_spent_quota_is_one_line(run, reply, kind, says, monkeypatch):
    """A 5xx outage is kind 'unavailable' (not 'input'); a spent monthly quota is one line and is
    not retried (api-kit's quota body, packages/api-kit/tests/endpoint/httpRequests.test.ts l. 77)."""
    import re

    from canned_server import canned

    monkeypatch.delenv("SAFE_API_KEY", raising=False)
    with canned([reply]) as server:
        result = run("delegate", "list", "--tx-service", server.url, "--json")
    assert result.exit_code == 2, result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and re.search(says, lines[0]), lines
    assert json.loads(result.stdout)["error"]["kind"] == kind
    if kind == "input":
        assert len(server.seen) == 1  # not retried to death
