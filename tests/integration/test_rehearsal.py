"""The rehearsal of a real network, as the README's "Point it at a real network" tells it.

Anvil plays Sepolia (chain id 11155111, where upgrader's dev-chain conveniences do not apply);
the system is deployed by a separate script (not an upgrader command), under a 2-of-3 Safe
whose owners are keyfile accounts in an isolated ape data folder, unlocked from ape's
passphrase variables. Every upgrader command runs as its own process with --json, through two
endpoints (the first with an API key in its path) behind fault proxies. The node's unlocked
accounts are never used by upgrader: no eth_sendTransaction, no eth_accounts. `execute` is
killed right after its broadcast, the transaction mined while nobody watches, and `sync`
records it; then an upgrade executed through the Safe outside upgrader is found by `sync`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from eth_account import Account

from fault_proxy import FaultProxy

pytestmark = pytest.mark.chain

KEY = "r3hearsalApiK3y0123456789"
SERVICE_KEY = "s4feServiceK3y9876543210"  # SAFE_API_KEY: never in an output or a file either
PASSPHRASE = "rehearsal passphrase"
MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
NETWORK = "rehearsal"
ROOT = Path(__file__).resolve().parents[2]  # the real Anvil binary (tools/bin/anvil would load the local chain)


def keys_of(mnemonic: str, n: int) -> list[Any]:
    Account.enable_unaudited_hdwallet_features()
    return [Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{i}") for i in range(n)]


class Upgrader:
    """`python -m upgrader.cli ... --json` as its own process; every stdout must parse."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.outputs: list[str] = []

    def cmd(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "upgrader.cli", *args]

    def __call__(self, *args: str, expect: int = 0) -> dict[str, Any]:
        done = subprocess.run(self.cmd(*args, "--json"), env=self.env, capture_output=True, text=True, timeout=300,
                              stdin=subprocess.DEVNULL)
        self.outputs += [done.stdout, done.stderr]
        assert done.returncode == expect, f"{args}: exit {done.returncode}\n{done.stderr}\n{done.stdout}"
        return json.loads(done.stdout) if done.stdout.strip() else {}


@contextlib.contextmanager
def own_node(anvil_mod: Any) -> Iterator[Any]:
    """An Anvil playing Sepolia, checked to be ours: a free port can be taken by another
    process's Anvil between choosing it and binding it, and that one answers too."""
    for _ in range(3):
        with anvil_mod.running(["--chain-id", "11155111", "--mnemonic", MNEMONIC, "--silent"], root=ROOT) as node:
            if node.proc.poll() is None and anvil_mod.rpc_call(node.url, "eth_chainId") == hex(11155111):
                yield node
                return
    raise AssertionError("could not start an Anvil of our own")


@pytest.fixture
def sepolia(fixture_root: Path, fixture_build: dict, tmp_path: Path) -> Any:
    from upgrader import config as cfg
    from upgrader.chain import anvil as anvil_mod
    from upgrader.chain.rpc import connect
    from upgrader.deploy.system import deploy_local_system
    from upgrader.safe_service.local.server import LocalServiceServer, LocalTransactionService

    config_file = fixture_root / "ape-config.yaml"
    saved = config_file.read_text()
    with own_node(anvil_mod) as node, FaultProxy(node.url) as keyed, FaultProxy(node.url) as plain:
        data = yaml.safe_load(saved)
        data["upgrader"]["networks"][NETWORK] = {"rpc": [keyed.url(f"/v2/{KEY}"), plain.url()],
                                                 "chain_id": 11155111, "tx_service": "local"}
        config_file.write_text(yaml.safe_dump(data, sort_keys=False))
        deployments = tmp_path / "deployments"
        project = replace(cfg.load(fixture_root), deployments=deployments)
        # the separate deployment script (node accounts: the deployer and the three owners)
        manifest = deploy_local_system(connect(node.url), project, NETWORK, fixture_build).manifest
        ape = tmp_path / "ape"
        (ape / "accounts").mkdir(parents=True)
        owners = [k for k in keys_of(MNEMONIC, 4) if k.address in manifest.safe.owners]
        executor = Account.create()
        connect(node.url).provider.make_request("anvil_setBalance", [executor.address, hex(10**19)])
        env = {**os.environ, "UPGRADER_PROJECT": str(fixture_root), "UPGRADER_DEPLOYMENTS": str(deployments),
               "APE_DATA_FOLDER": str(ape), "NO_COLOR": "1", "COLUMNS": "200", "SAFE_API_KEY": SERVICE_KEY}
        for alias, acct in [("owner1", owners[0]), ("owner2", owners[1]), ("owner3", owners[2]), ("executor", executor)]:
            (ape / "accounts" / f"{alias}.json").write_text(json.dumps(Account.encrypt(acct.key, PASSPHRASE)))
            env[f"APE_ACCOUNTS_{alias}_PASSPHRASE"] = PASSPHRASE
        service = LocalTransactionService(node.url, tmp_path / "service.json", (manifest.safe.multisend_call_only,))
        with LocalServiceServer(service) as server:
            env["UPGRADER_TX_SERVICE"] = server.url
            yield {"node": node, "proxies": (keyed, plain), "env": env, "deployments": deployments / NETWORK,
                   "manifest": manifest, "owners": owners, "executor": executor, "w3": connect(node.url)}
    config_file.write_text(saved)


def test_rehearsal_on_a_sepolia_like_chain(sepolia, fixture_build):
    from upgrader.build import artifacts
    from upgrader.chain import create2
    from upgrader.sim.safe_exec import approve_and_execute, safe_contract
    from upgrader.safe.multisend import Batch

    run, w3, folder = Upgrader(sepolia["env"]), sepolia["w3"], sepolia["deployments"]
    net = ("--network", NETWORK)

    states = {p["name"]: p["state"] for p in run("status", *net)["proxies"]}
    assert states == {"AccessHub": "in_sync", "PropertyRegistry": "pending", "RentVault": "pending"}
    plan_path = run("plan", *net)["path"]
    assert run("simulate", plan_path)["ok"] is True
    proposed = run("propose", plan_path, "--sender", "owner1")
    h = proposed["safe_tx_hash"]
    review = run("review", proposed["proposal"], "--plan", plan_path, "--network", NETWORK)
    assert review["ok"] is True
    assert run("confirm", h, "--sender", "owner2", *net)["confirmations"] == 2

    # execute, killed right after its broadcast; the transaction is mined while nobody watches
    w3.provider.make_request("evm_setAutomine", [False])
    record = folder / "executions" / f"{h}.json"
    proc = subprocess.Popen(run.cmd("execute", h, *net, "--sender", "executor", "--json"), env=run.env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (record.is_file() and json.loads(record.read_text())["state"] == "broadcast"):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate()
        run.outputs += [out, err]
    w3.provider.make_request("evm_setAutomine", [True])
    w3.provider.make_request("evm_mine", [])
    sent = json.loads(record.read_text())["attempts"][0]["tx"]
    assert run("status", *net)["drifted"] == ["PropertyRegistry", "RentVault"]
    synced = run("sync", *net)
    assert {r["proxy"] for r in synced["recorded"]} == {"PropertyRegistry", "RentVault"}
    assert all(r["origin"] == "upgrader" and r["tx"] == sent and r["safe_tx_hash"] == h for r in synced["recorded"])
    again = run("execute", h, *net, expect=2)  # recorded by sync: a re-run says so, naming the transaction
    assert again == {} or again["error"]["kind"] == "input"
    assert f"already executed in tx {sent}" in run.outputs[-1]
    assert {p["state"] for p in run("status", *net)["proxies"]} == {"in_sync"}

    # an upgrade executed through the Safe by its owners, outside upgrader
    manifest = sepolia["manifest"]
    evil = artifacts.find(fixture_build, "RentVaultEvil")
    impl, _, _ = create2.ensure_deployed(w3, manifest.extras["deployer"], evil.initcode)
    vault = manifest.proxy("RentVault").address
    data = w3.eth.contract(address=vault, abi=evil.abi).functions.upgradeToAndCall(impl, b"")._encode_transaction_data()
    nonce = safe_contract(w3, manifest.safe.address).functions.nonce().call()
    tx = Batch().add_call(vault, data).to_safe_tx(manifest.safe.multisend_call_only, nonce)
    approve_and_execute(w3, manifest.safe.address, tx, manifest.safe.owners[:2])
    assert run("status", *net)["drifted"] == ["RentVault"]
    (outside,) = run("sync", *net)["recorded"]
    assert (outside["proxy"], outside["origin"], outside["implementation"]) == ("RentVault", "outside", impl)
    assert outside["contract"].endswith(":RentVaultEvil")
    assert run("status", *net)["drifted"] == []

    # the API key is nowhere: outputs, files, and upgrader never used the node's accounts
    assert all(KEY not in text and SERVICE_KEY not in text for text in run.outputs)
    for path in folder.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            assert KEY not in text and SERVICE_KEY not in text, path
    for proxy in sepolia["proxies"]:
        assert not {"eth_sendTransaction", "eth_accounts"} & set(proxy.methods())
    assert "eth_sendRawTransaction" in sepolia["proxies"][0].methods() + sepolia["proxies"][1].methods()
