"""Issue 21, the steps upgrader now owns, on the team's Foundry repository (tests/adopt/foundry_repo)
deployed by its own `forge script` with the deployer owning the ProxyAdmin: `solc path` gives
forge its compiler, `safe create` makes (once) a 2-of-3 Safe 1.4.1, `handover` gives the Safe the
ProxyAdmin (each call shown, idempotent), and `node start --network` runs the local Safe service
of a network marked local. Each command is its own process in the project folder."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flow import ANVIL_KEY0, FORGE, ROOT, Flow, make_repository, team_env

pytestmark = pytest.mark.chain

TEMPLATE = Path(__file__).resolve().parent / "foundry_repo"
BROADCAST = "broadcast/Deploy.s.sol/31337/run-latest.json"


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from upgrader.chain import anvil as anvil_mod
    from upgrader.chain.rpc import connect

    work = tmp_path_factory.mktemp("team")
    repo = make_repository(TEMPLATE, work / "repo", work)
    flow = Flow(repo, team_env(work))
    port = anvil_mod.free_port()
    with anvil_mod.running(["--silent"], root=ROOT) as node:
        solc = flow.ok("solc path", "solc", "path", "0.8.21").stdout.strip()
        flow.ok("forge script", "script", "script/Deploy.s.sol", "--rpc-url", node.url, "--broadcast",
                "--private-key", ANVIL_KEY0, program=FORGE, env={"FOUNDRY_SOLC": solc})
        (repo / "upgrader.toml").write_text(f'[networks.dev]\nrpc = "{node.url}"\nchain_id = 31337\n'
                                            f'safe_api = {{ kind = "queue", url = "local" }}\nlocal_service_port = {port}\n'
                                            '\n[networks.far]\nrpc = "https://rpc.example.org"\nchain_id = 1\n')
        w3 = connect(node.url)
        yield {"flow": flow, "w3": w3, "url": node.url, "port": port, "solc": solc, "accounts": list(w3.eth.accounts)}


def one_line(step: Any) -> str:
    lines = [ln for ln in step.stderr.splitlines() if ln.strip()]
    assert step.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error: "), (step.exit_code, step.stderr)
    return lines[0]


def test_solc_path_is_the_compiler_forge_built_with(team):
    flow = team["flow"]
    assert Path(team["solc"]).is_file() and "Version: 0.8.21+commit." in flow.ok("v", "--version", program=Path(team["solc"])).stdout
    artifact = json.loads((flow.root / "out" / "TokenVault.sol" / "TokenVault.json").read_text())
    assert artifact["metadata"]["compiler"]["version"].startswith("0.8.21+commit.")  # forge compiled with it
    assert "0.8.x" in one_line(flow.run("bad", "solc", "path", "latest"))


def test_safe_create_import_and_handover(team):
    from upgrader.proxies.base import owner_of

    flow, w3, accounts = team["flow"], team["w3"], team["accounts"]
    deployer, owners = accounts[0], sorted(accounts[1:4], key=lambda a: int(a, 16))
    args = ["safe", "create", "--network", "dev", "--owners", ",".join(owners), "--threshold", "2", "--json"]
    made = flow.ok("safe create", *args).json()
    safe = made["address"]
    abi = [{"name": n, "type": "function", "stateMutability": "view", "inputs": [], "outputs": [{"name": "", "type": t}]}
           for n, t in (("getOwners", "address[]"), ("getThreshold", "uint256"), ("VERSION", "string"))]
    contract = w3.eth.contract(address=safe, abi=abi)
    assert contract.functions.getOwners().call() == owners and contract.functions.getThreshold().call() == 2
    assert contract.functions.VERSION().call() == "1.4.1" and made["created"] and not made["canonical"]
    again = flow.ok("safe create again", *args).json()
    assert (again["address"], again["created"]) == (safe, False)
    assert "--threshold 4" in one_line(flow.run("bad threshold", "safe", "create", "--network", "dev", "--owners", ",".join(owners), "--threshold", "4"))
    assert "--owners" in one_line(flow.run("bad owner", "safe", "create", "--network", "dev", "--owners", "0x12,0x34", "--threshold", "1"))

    flow.ok("import", "import", "--network", "dev", "--from-forge-broadcast", BROADCAST, "--safe", safe)
    manifest_path = flow.root / "deployments" / "dev" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    admin = {p["admin"] for p in manifest["proxies"]}.pop()
    assert {p["governor"] for p in manifest["proxies"]} == {deployer} and owner_of(w3, admin) == deployer
    assert manifest["safe"]["multisend_call_only"] == made["multisend_call_only"]  # found on chain, no --multisend
    # re-import over it with no source option and no --safe (no Safe governs the proxies yet): the recorded Safe is kept
    kept = flow.ok("re-import", "import", "--network", "dev", "--force", "--json").json()
    assert kept["safe"] == safe and f"the Safe {safe} of the manifest being replaced is kept (pass --safe to choose another)" in kept["notes"]
    other = flow.ok("another Safe", "safe", "create", "--network", "dev", "--owners", ",".join(owners[:2]), "--threshold", "1",
                    "--json").json()["address"]
    chosen = flow.ok("re-import --safe", "import", "--network", "dev", "--force", "--safe", other, "--json").json()
    assert chosen["safe"] == other != safe and not any("is kept" in n for n in chosen["notes"])  # an explicit --safe wins
    assert flow.ok("back", "import", "--network", "dev", "--force", "--safe", safe, "--json").json()["safe"] == safe

    assert "--yes" in one_line(flow.run("handover (no terminal)", "handover", "--network", "dev"))  # stdin: /dev/null
    assert owner_of(w3, admin) == deployer  # nothing was sent
    shown = flow.ok("handover", "handover", "--network", "dev", "--yes")
    assert f"ProxyAdmin {admin}" in shown.stderr and f"transferOwnership({safe})" in shown.stderr  # each call shown
    assert owner_of(w3, admin) == safe
    assert {p["governor"] for p in json.loads(manifest_path.read_text())["proxies"]} == {safe}
    again = flow.ok("handover again", "handover", "--network", "dev", "--yes", "--json").json()
    assert again["sent"] == [] and sorted(again["already_with_the_safe"]) == ["RewardsDistributor", "TokenVault"]
    status = flow.ok("status", "status", "--network", "dev", "--json").json()
    assert {p["state"] for p in status["proxies"]} == {"in_sync"}
    # a manifest that records another Safe, re-imported with --force alone after the proxies went to
    # `safe`: the Safe that governs them now wins over the recorded one (no false "not the Safe" notes)
    flow.ok("record the other Safe", "import", "--network", "dev", "--force", "--safe", other, "--json")
    found = flow.ok("re-import after handover", "import", "--network", "dev", "--force", "--json").json()
    assert found["safe"] == safe and not any("is kept" in n or "not the Safe" in n for n in found["notes"]), found["notes"]


def test_node_start_runs_the_safe_service_of_a_network_marked_local(team):
    flow, port = team["flow"], team["port"]
    started = flow.ok("node start", "node", "start", "--network", "dev", "--json").json()
    try:
        assert started["service"]["state"] == "running" and started["service"]["url"] == f"http://127.0.0.1:{port}"
        assert started["started"] == ["service"]  # the team's own chain is not upgrader's to start
        safe = "0x" + "11" * 20  # no Safe there: the service answers 404
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/safes/{safe}/", timeout=5)
        assert answer.value.code == 404
        assert flow.ok("node status", "node", "status", "--network", "dev", "--json").json()["service"]["state"] == "running"
    finally:
        stopped = flow.ok("node stop", "node", "stop", "--network", "dev", "--json").json()
    assert stopped["service"] == "stopped" and team["w3"].eth.block_number >= 0  # the chain still answers
    assert "local: true" in one_line(flow.run("not local", "node", "start", "--network", "far"))
