"""Issue 21, a public repository's shape: tests/adopt/transparent5_repo is shaped like
markgenuine/TransparentUpgradeableProxy_5_0_2 (commit ddc315b; our own code): OpenZeppelin 5 as a
git submodule, solc 0.8.25, one Transparent proxy whose ProxyAdmin the proxy made itself (owned by
the deployer), and an implementation whose ABI declares none of the proxy's events. Adopted and
upgraded with upgrader's commands alone; the signer's views name the upgrade's own events (was
"undecoded log" for Upgraded) and do not print the batch again as kilobytes of hex, and a review
after the execution says it ran (was a red plan-stale, DO NOT SIGN)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flow import ANVIL_KEY0, FORGE, ROOT, Flow, make_repository, team_env

pytestmark = pytest.mark.chain

TEMPLATE = Path(__file__).resolve().parent / "transparent5_repo"
OZ5 = {"openzeppelin-contracts": ("contracts", "https://github.com/OpenZeppelin/openzeppelin-contracts")}


def settings(rpc: str, port: int, proxy: str | None = None) -> str:
    text = (f'[networks.dev]\nrpc = "{rpc}"\nchain_id = 31337\nsafe_api = {{ kind = "queue", url = "local" }}\n'
            f"local_service_port = {port}\n")
    if proxy is None:
        return text
    return text + f"""
[modules.Tally]
proxy = "{proxy}"
target = "TallyV2"
reinitializer = {{ function = "initializeV2", args = [5], changes = ["step"] }}
smoke = [{{ function = "count", expect = 23 }}, {{ function = "step", expect = 5 }}]
"""


def test_a_transparent_proxy_on_openzeppelin_5_is_upgraded_with_every_event_named(tmp_path: Path):
    from upgrader.chain import anvil as anvil_mod
    from upgrader.chain.rpc import connect, send
    from upgrader.keccak import keccak

    repo = make_repository(TEMPLATE, tmp_path / "team", tmp_path, OZ5)
    flow = Flow(repo, team_env(tmp_path))
    port = anvil_mod.free_port()
    with anvil_mod.running(["--silent"], root=ROOT) as node:
        w3 = connect(node.url)
        accounts = list(w3.eth.accounts)
        owners = sorted(accounts[1:4], key=lambda a: int(a, 16))
        solc = flow.ok("solc path", "solc", "path", "0.8.25").stdout.strip()
        flow.env["FOUNDRY_SOLC"] = solc  # exported, as the README's shell has it: forge and upgrader compile alike
        flow.ok("forge script", "script", "script/Deploy.s.sol", "--rpc-url", node.url, "--broadcast",
                "--private-key", ANVIL_KEY0, program=FORGE)
        (repo / "upgrader.toml").write_text(settings(node.url, port))
        safe = flow.ok("safe create", "safe", "create", "--network", "dev", "--owners", ",".join(owners), "--threshold", "2",
                       "--json").json()["address"]
        flow.ok("import", "import", "--network", "dev", "--from-forge-broadcast", "broadcast/Deploy.s.sol/31337/run-latest.json",
                "--safe", safe)
        (record,) = json.loads((repo / "deployments/dev/manifest.json").read_text())["proxies"]
        assert record["kind"] == "transparent" and record["admin"] and record["governor"] == accounts[0]
        handed = flow.ok("handover", "handover", "--network", "dev", "--yes", "--json").json()
        assert [t["role"] for t in handed["sent"]] == ["ProxyAdmin"]
        for _ in range(3):
            send(w3, {"from": accounts[5], "to": record["address"], "data": "0x" + keccak(b"bump()")[:4].hex()})
        shutil.copytree(TEMPLATE / "v2", repo / "src" / "v2")
        (repo / "upgrader.toml").write_text(settings(node.url, port, record["address"]))
        flow.ok("node start", "node", "start", "--network", "dev")
        try:
            plan = flow.ok("plan", "plan", "--network", "dev", "--json").json()
            assert flow.ok("simulate", "simulate", plan["path"], "--json").json()["ok"]
            h = flow.ok("propose", "propose", plan["path"], "--sender", owners[0], "--json").json()["safe_tx_hash"]
            batch = f"deployments/dev/proposals/{h}.json"
            reviewed = flow.ok("review --simulate", "review", batch, "--simulate", "--network", "dev", "--json").json()
            events = reviewed["simulation"]["events"]
            assert [e["event"] for e in events if e["address"] == record["address"]] == ["Upgraded", "Initialized"], events
            assert all(e["event"] for e in events), [e for e in events if not e["event"]]
            text = flow.ok("review --simulate (text)", "review", batch, "--simulate", "--network", "dev").stdout
            assert "undecoded log" not in text and "Tally.Upgraded(implementation=" in text, text
            (multisig,) = [ln for ln in text.splitlines() if "SafeMultiSigTransaction(" in ln]
            assert len(multisig) < 600 and " bytes)" in multisig, multisig  # the batch is decoded above, not dumped again
            flow.ok("confirm", "confirm", h, "--sender", owners[1], "--network", "dev")
            flow.ok("execute", "execute", h, "--network", "dev")
            status = flow.ok("status", "status", "--network", "dev", "--json").json()
            assert [(p["state"], p["implementation"]) for p in status["proxies"]] == [("in_sync", plan["plan"]["upgrades"][0]["to"]["implementation"])]
            watched = flow.run("watch --once", "watch", "--network", "dev", "--once")
            assert watched.exit_code == 0 and not watched.stdout.strip(), watched.stdout + watched.stderr
            late = flow.ok("review (after execute)", "review", h, "--network", "dev", "--json").json()
            assert late["ok"] and "already-executed" in {w["kind"] for w in late["warnings"]}
        finally:
            flow.run("node stop", "node", "stop", "--network", "dev")
    print("\n" + flow.table())
