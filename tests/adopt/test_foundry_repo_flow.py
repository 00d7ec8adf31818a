"""Issue 21, done when: a team's Foundry repository (tests/adopt/foundry_repo: .gitmodules and
OpenZeppelin 4.9 as git submodules under lib/, two Transparent proxies behind one ProxyAdmin with
immutables allowed in upgrader.toml, solc 0.8.21) deployed by its own `forge script` on its own
Anvil, then adopted and upgraded with upgrader's commands alone, each a process of its own in
the project folder: solc path (forge's compiler), safe create, import, handover, node start,
plan, simulate, propose, review, confirm, execute, status, sync, watch. It ends in sync on the
V2s, every review green, `watch --once` silent, and no step done by hand."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flow import ANVIL_KEY0, FORGE, ROOT, Flow, make_repository, team_env

pytestmark = pytest.mark.chain

TEMPLATE = Path(__file__).resolve().parent / "foundry_repo"
BROADCAST = "broadcast/Deploy.s.sol/31337/run-latest.json"
LONG_LOCATION = "src/rewards/RewardsDistributorUpgradeable.sol:RewardsDistributorUpgradeable"


def settings(rpc: str, service_port: int, proxies: dict[str, str] | None = None) -> str:
    text = (f'[networks.dev]\nrpc = "{rpc}"\nchain_id = 31337\nsafe_api = {{ kind = "queue", url = "local" }}\n'
            f"local_service_port = {service_port}\n")
    if proxies is None:
        return text
    return text + f"""
[modules.TokenVault]
proxy = "{proxies['TokenVault']}"
target = "TokenVaultV2"
constructor_args = [5000]
unsafe_allow = ["state-variable-immutable"]
reinitializer = {{ function = "initializeV2", args = [25] }}
smoke = [{{ function = "cap", expect = 5000 }}, {{ function = "total", expect = 300 }}, {{ function = "feeBps", expect = 25 }}]

[modules.RewardsDistributor]
proxy = "{proxies['RewardsDistributor']}"
target = "RewardsDistributorUpgradeableV2"
constructor_args = [604800]
unsafe_allow = ["state-variable-immutable"]
unset = ["paused"]  # V2's pause switch starts off; no reinitializer runs (left-unset-after-upgrade)
smoke = [{{ function = "epochs", expect = 2 }}, {{ function = "version", expect = 2 }}]
"""


def use(w3, proxies: dict[str, str], account: str) -> None:
    from upgrader.chain.rpc import send
    from upgrader.keccak import keccak

    for _ in range(3):
        send(w3, {"from": account, "to": proxies["TokenVault"], "data": "0x" + (keccak(b"deposit(uint256)")[:4] + (100).to_bytes(32, "big")).hex()})
    for _ in range(2):
        send(w3, {"from": account, "to": proxies["RewardsDistributor"], "data": "0x" + keccak(b"advance()")[:4].hex()})


def _walk(nodes: list[dict]) -> list[dict]:
    return [x for n in nodes for x in [n, *_walk(n.get("calls") or [])]]


def _without_allowances(repo: Path, plan_path: str) -> Path:
    """The plan as if made without the modules' `unsafe_allow`, sealed again (a plan of its own)."""
    from upgrader.manifest import canonical_json
    from upgrader.stages.planfile import seal

    plan = json.loads((repo / plan_path).read_text())
    for u in plan["upgrades"]:
        u["unsafe_allow"] = []
    out = repo / "strict-plan.json"
    out.write_text(canonical_json(seal({k: v for k, v in plan.items() if k != "plan_hash"})) + "\n")
    return out


def test_a_foundry_repository_is_adopted_and_upgraded_by_upgrader_alone(tmp_path: Path):
    from upgrader.chain import anvil as anvil_mod
    from upgrader.chain.rpc import connect

    repo = make_repository(TEMPLATE, tmp_path / "team", tmp_path)
    assert (repo / ".gitmodules").read_text().count("https://github.com/OpenZeppelin/") == 2
    flow = Flow(repo, team_env(tmp_path))
    service_port = anvil_mod.free_port()
    with anvil_mod.running(["--silent"], root=ROOT) as node:
        w3 = connect(node.url)
        accounts = list(w3.eth.accounts)
        deployer, owners = accounts[0], sorted(accounts[1:4], key=lambda a: int(a, 16))
        solc = flow.ok("solc path", "solc", "path", "0.8.21").stdout.strip()
        assert "Version: 0.8.21+" in flow.ok("solc --version", "--version", program=Path(solc)).stdout
        flow.ok("forge script", "script", "script/Deploy.s.sol", "--rpc-url", node.url, "--broadcast",
                "--private-key", ANVIL_KEY0, program=FORGE, env={"FOUNDRY_SOLC": solc})
        (repo / "upgrader.toml").write_text(settings(node.url, service_port))

        made = flow.ok("safe create", "safe", "create", "--network", "dev", "--owners", ",".join(owners), "--threshold", "2", "--json").json()
        safe = made["address"]
        assert made["created"] and made["owners"] == owners and made["threshold"] == 2 and w3.eth.get_code(safe)
        again = flow.ok("safe create (again)", "safe", "create", "--network", "dev", "--owners", ",".join(owners), "--threshold", "2", "--json").json()
        assert again["address"] == safe and not again["created"]

        imported = flow.ok("import", "import", "--network", "dev", "--from-forge-broadcast", BROADCAST, "--safe", safe)
        assert LONG_LOCATION in imported.stdout and "…" not in imported.stdout, imported.stdout  # the table at 200 columns
        manifest = json.loads((repo / "deployments" / "dev" / "manifest.json").read_text())
        proxies = {p["name"]: p["address"] for p in manifest["proxies"]}
        assert set(proxies) == {"TokenVault", "RewardsDistributor"}  # named after the proxies, not "...Upgradeable"
        assert {p["governor"] for p in manifest["proxies"]} == {deployer}
        assert all(p["deploy_block"] and p["deploy_tx"] for p in manifest["proxies"])

        handed = flow.ok("handover", "handover", "--network", "dev", "--yes", "--json").json()
        assert [t["role"] for t in handed["sent"]] == ["ProxyAdmin"] and sorted(handed["sent"][0]["proxies"]) == sorted(proxies)
        assert flow.ok("handover (again)", "handover", "--network", "dev", "--yes", "--json").json()["sent"] == []
        status = flow.ok("status", "status", "--network", "dev", "--json").json()
        assert {p["name"]: p["state"] for p in status["proxies"]} == dict.fromkeys(proxies, "in_sync")

        use(w3, proxies, accounts[5])
        shutil.copytree(TEMPLATE / "v2", repo / "src" / "v2")  # the team writes its V2s and points the modules at them
        (repo / "upgrader.toml").write_text(settings(node.url, service_port, proxies))

        flow.ok("node start", "node", "start", "--network", "dev")
        try:
            plan = flow.ok("plan", "plan", "--network", "dev", "--json").json()
            simulated = flow.ok("simulate", "simulate", plan["path"], "--json").json()
            assert simulated["ok"]
            proposed = flow.ok("propose", "propose", plan["path"], "--sender", owners[0], "--json").json()
            h = proposed["safe_tx_hash"]
            assert proposed["review_ok"], proposed
            batch = f"deployments/dev/proposals/{h}.json"
            assert json.loads((repo / batch).read_text())["meta"]["planHash"] == plan["plan_hash"]
            reviewed = flow.ok("review --simulate", "review", batch, "--simulate", "--network", "dev", "--json").json()
            assert reviewed["ok"] and not [w for w in reviewed["warnings"] if w["severity"] == "red"], reviewed["warnings"]
            assert reviewed["plan"]["plan_hash"] == plan["plan_hash"] and reviewed["plan"]["matches"]  # found by itself
            assert all(u["check"]["ok"] for u in reviewed["plan"]["upgrades"])
            init = next(n for n in _walk(reviewed["calls"]) if n["function"] == "upgradeAndCall" and n["args"][2]["value"] != "0x")
            assert init["args"][2]["decoded"]["summary"].startswith("TokenVaultV2.initializeV2(25"), init  # through V2's ABI
            rendered = flow.ok("review (text)", "review", batch, "--network", "dev").stdout
            assert "checker ok" in rendered and "rejected" not in rendered and "DO NOT SIGN" not in rendered, rendered
            exactly = _without_allowances(repo, plan["path"])  # the same plan allowing nothing: the checker rejects it here
            strict = flow.run("review --plan (no allowances)", "review", batch, "--plan", str(exactly), "--network", "dev", "--json")
            assert strict.exit_code == 1 and "checker-rejects" in {w["kind"] for w in strict.json()["warnings"]}
            assert not any(u["check"]["ok"] for u in strict.json()["plan"]["upgrades"])  # never "(checker ok)" beside it
            flow.ok("confirm", "confirm", h, "--sender", owners[1], "--network", "dev", "--json")
            flow.ok("execute", "execute", h, "--network", "dev", "--json")
            status = flow.ok("status (after)", "status", "--network", "dev", "--json").json()
            assert {p["name"]: p["state"] for p in status["proxies"]} == dict.fromkeys(proxies, "in_sync")
            assert flow.ok("sync", "sync", "--network", "dev", "--json").json()
            watched = flow.run("watch --once", "watch", "--network", "dev", "--once")
            assert watched.exit_code == 0 and not watched.stdout.strip(), watched.stdout + watched.stderr
            late = flow.ok("review (after execute)", "review", h, "--network", "dev", "--json").json()  # a late signer, an audit
            assert late["ok"] and "already-executed" in {w["kind"] for w in late["warnings"]}, late["warnings"]
            assert "nothing left to sign" in flow.ok("review (after, text)", "review", h, "--network", "dev").stdout
        finally:
            flow.run("node stop", "node", "stop", "--network", "dev")
    print("\n" + flow.table())
