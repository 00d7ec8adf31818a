"""Issue 21, point 2: `propose`, `confirm` and `execute` refuse a batch whose review has red
warnings (exit 1, nothing posted, signed or sent) unless `--accept-red "<reason>"`; each
acceptance is recorded in the proposal file and shown to the signers after (review, confirm).
The red here is a true one: the plan was proposed with --skip-simulation (not-simulated)."""

from __future__ import annotations

import json
import shutil

import pytest

from flow import ANVIL_KEY0, FORGE, ROOT, Flow, make_repository, team_env
from test_foundry_repo_flow import BROADCAST, TEMPLATE, settings

pytestmark = pytest.mark.chain


def test_red_reviews_stop_propose_confirm_and_execute_unless_accepted(tmp_path):
    from upgrader.chain import anvil as anvil_mod
    from upgrader.chain.rpc import connect

    repo = make_repository(TEMPLATE, tmp_path / "team", tmp_path)
    flow = Flow(repo, team_env(tmp_path))
    port = anvil_mod.free_port()
    with anvil_mod.running(["--silent"], root=ROOT) as node:
        accounts = list(connect(node.url).eth.accounts)
        owners = sorted(accounts[1:4], key=lambda a: int(a, 16))
        solc = flow.ok("solc path", "solc", "path", "0.8.21").stdout.strip()
        flow.ok("forge script", "script", "script/Deploy.s.sol", "--rpc-url", node.url, "--broadcast",
                "--private-key", ANVIL_KEY0, program=FORGE, env={"FOUNDRY_SOLC": solc})
        (repo / "upgrader.toml").write_text(settings(node.url, port))
        safe = flow.ok("safe create", "safe", "create", "--network", "dev", "--owners", ",".join(owners), "--threshold", "2", "--json").json()["address"]
        flow.ok("import", "import", "--network", "dev", "--from-forge-broadcast", BROADCAST, "--safe", safe)
        flow.ok("handover", "handover", "--network", "dev", "--yes")
        proxies = {p["name"]: p["address"] for p in json.loads((repo / "deployments/dev/manifest.json").read_text())["proxies"]}
        shutil.copytree(TEMPLATE / "v2", repo / "src" / "v2")
        (repo / "upgrader.toml").write_text(settings(node.url, port, proxies))
        flow.ok("node start", "node", "start", "--network", "dev")
        try:
            path = flow.ok("plan", "plan", "--network", "dev", "--json").json()["path"]
            refused = flow.run("propose", "propose", path, "--sender", owners[0], "--skip-simulation")
            assert refused.exit_code == 1, refused.stdout + refused.stderr
            last = refused.stderr.strip().splitlines()[-1]
            assert "not-simulated" in last and "--accept-red" in last, refused.stderr
            assert not list((repo / "deployments/dev").glob("proposals/*.json"))  # nothing posted, nothing written
            # with nothing written, `upgrader review <hash>` has nothing to read: the refusal says the warning itself
            # (seen on fospring/openzeppelin-uups@e038a97, where it pointed at a review that exits 2)
            assert "not-simulated: " in last and "upgrader review" not in last, refused.stderr

            why = "dev chain rehearsal: the fork run comes later"
            proposed = flow.ok("propose (accepted)", "propose", path, "--sender", owners[0], "--skip-simulation",
                               "--accept-red", why, "--json").json()
            h = proposed["safe_tx_hash"]
            assert proposed["review_ok"] is False
            meta = json.loads((repo / f"deployments/dev/proposals/{h}.json").read_text())["meta"]
            assert meta["acceptedRed"] == [{"step": "propose", "by": owners[0], "reason": why, "kinds": ["not-simulated"]}]

            reviewed = flow.run("review", "review", h, "--network", "dev", "--json")
            assert reviewed.exit_code == 1  # the red stays red; the acceptance is shown beside it
            warnings = reviewed.json()["warnings"]
            assert {w["kind"] for w in warnings if w["severity"] == "red"} == {"not-simulated"}
            assert [w["message"] for w in warnings if w["kind"] == "red-accepted"] == [
                f"at propose, {owners[0]} accepted the red warnings not-simulated: {why}"]
            assert why in (repo / f"deployments/dev/proposals/{h}.review.md").read_text()

            refused = flow.run("confirm", "confirm", h, "--sender", owners[1], "--network", "dev")
            assert refused.exit_code == 1, refused.stdout + refused.stderr
            pointer = f"`upgrader review {h} --network dev`"  # the proposal file is there now: the pointer reads it
            assert pointer in refused.stderr.strip().splitlines()[-1], refused.stderr
            assert flow.run("review (as the refusal says)", *pointer.strip("`").split()[1:]).exit_code == 1
            confirmed = flow.ok("confirm (accepted)", "confirm", h, "--sender", owners[1], "--network", "dev",
                                "--accept-red", "seen the proposer's reason", "--json").json()
            assert [a["step"] for a in confirmed["red_accepted"]] == ["propose", "confirm"] and confirmed["confirmations"] == 2
            assert flow.run("execute", "execute", h, "--network", "dev").exit_code == 1
            assert flow.ok("status", "status", "--network", "dev", "--json").json()["proxies"][0]["state"] == "pending"
            flow.ok("execute (accepted)", "execute", h, "--network", "dev", "--accept-red", "two owners accepted", "--json")
            meta = json.loads((repo / f"deployments/dev/proposals/{h}.json").read_text())["meta"]
            assert [a["step"] for a in meta["acceptedRed"]] == ["propose", "confirm", "execute"]
        finally:
            flow.run("node stop", "node", "stop", "--network", "dev")
