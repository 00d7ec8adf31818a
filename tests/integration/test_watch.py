"""`upgrader watch` on the session chain: an upgrade done outside upgrader, an owner added and
a stale RPC head are each reported once; a restart reports nothing twice."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from upgrader.chain.rpc import send
from upgrader.sim.safe_exec import approve_and_execute, safe_contract
from upgrader.safe.tx import SafeTx

pytestmark = pytest.mark.chain

CALM = ("--max-head-age", "100000", "--no-service")  # the session chain mines only when tests send; the queue: tests/service


def _safe_exec(chain, to, data):
    nonce = safe_contract(chain.w3, chain.safe).functions.nonce().call()
    approve_and_execute(chain.w3, chain.safe, SafeTx(to=to, data=data, nonce=nonce), chain.owners[:2])


def _upgrade_outside(chain, build=None, name="RentVaultV2"):
    from upgrader.build import artifacts

    art = artifacts.find(build or chain.build_info, name)
    receipt = send(chain.w3, {"from": chain.deployer, "data": "0x" + art.initcode.hex()})
    impl = receipt["contractAddress"]
    vault = chain.contract("RentVault", "RentVaultV2")
    _safe_exec(chain, vault.address, bytes.fromhex(vault.encode_abi("upgradeToAndCall", [impl, b""])[2:]))
    return impl


def _lines(result):
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_an_outside_upgrade_and_an_added_owner_are_reported_once(cli, chain):
    start = cli.run("watch", "--once", "--json", *CALM)
    assert start.exit_code == 0, start.stderr + start.stdout  # a clean start: nothing to report
    impl = _upgrade_outside(chain)
    newcomer = chain.w3.eth.accounts[7]
    safe = safe_contract(chain.w3, chain.safe)
    _safe_exec(chain, chain.safe, bytes.fromhex(safe.encode_abi("addOwnerWithThreshold", [newcomer, 2])[2:]))

    first = cli.run("watch", "--once", "--json", *CALM)
    assert first.exit_code == 1, first.stderr
    found = _lines(first)
    assert sorted(f["kind"] for f in found) == ["safe-settings-changed", "unplanned-upgrade"], found
    upgrade = next(f for f in found if f["kind"] == "unplanned-upgrade")
    assert upgrade["proxy"] == "RentVault" and upgrade["new"] == impl and upgrade["safe_tx_hash"]
    owners = next(f for f in found if f["kind"] == "safe-settings-changed")
    assert owners["setting"] == "owners" and newcomer in owners["after"] and newcomer not in owners["before"]

    again = cli.run("watch", "--once", "--json", *CALM)  # a restart: the cursor holds
    assert again.exit_code == 0 and again.stdout == ""
    cursor = json.loads((cli.deployments / "local" / "watch.json").read_text())
    assert cursor["last_block"] == chain.w3.eth.block_number and cursor["counts"] == {"safe-settings-changed": 1, "unplanned-upgrade": 1}


def test_an_outside_upgrade_is_probed_as_a_plan_would_be(cli, chain, fixture_build):
    """Issue 24's probes feed watch: the new implementation's provenance (a contract of this
    build, or not built here), whether a stranger can initialize it, and the proxy."""
    assert cli.run("watch", "--once", "--json", *CALM).exit_code == 0
    honest = _upgrade_outside(chain)  # RentVaultV2 without its reinitializer: initializeV2 stays pending (guarded)
    found = _lines(cli.run("watch", "--once", "--json", *CALM))
    probes = next(f for f in found if f["kind"] == "unplanned-upgrade")["probes"]
    assert probes["ok"] and probes["built"] == "contracts/v2/RentVaultV2.sol:RentVaultV2", probes
    assert any("initializeV2(uint16,uint32) is pending" in n for n in probes["notes"]), probes

    open_ = _upgrade_outside(chain, fixture_build, "RentVaultOpen")  # no _disableInitializers
    found = _lines(cli.run("watch", "--once", "--json", *CALM))
    upgrade = next(f for f in found if f["kind"] == "unplanned-upgrade")
    assert upgrade["new"] == open_ and not upgrade["probes"]["ok"]
    assert "a stranger can initialize the implementation" in upgrade["message"]
    assert honest != open_


def test_a_stale_head_is_reported_once(cli, chain):
    send(chain.w3, {"from": chain.deployer, "to": chain.deployer, "value": 0})  # a head of known age
    time.sleep(2.2)
    first = cli.run("watch", "--once", "--json", "--max-head-age", "1", "--no-service")
    assert first.exit_code == 1
    assert [f["kind"] for f in _lines(first)] == ["rpc-head-stale"]
    again = cli.run("watch", "--once", "--json", "--max-head-age", "1", "--no-service")
    assert again.exit_code == 0 and again.stdout == ""


def test_metrics_count_findings_per_kind(network_ctx_factory, chain):
    from upgrader.stages.watch import Watcher, WatchOptions
    from upgrader.stages.watch.metrics import render, serve

    ctx = network_ctx_factory()
    watcher = Watcher(ctx, WatchOptions(max_head_age_s=100000, service=False))
    watcher.scan()
    _upgrade_outside(chain)
    assert [f.kind for f in watcher.scan()] == ["unplanned-upgrade"]
    server = serve("127.0.0.1:0", lambda: render(watcher.counts, watcher.last_scanned, 2))
    try:
        host, port = server.server_address[:2]
        text = urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=5).read().decode()
    finally:
        server.shutdown()
    assert 'upgrader_watch_findings_total{kind="unplanned-upgrade"} 1' in text
    assert f"upgrader_watch_last_scanned_block {chain.w3.eth.block_number}" in text


def test_metrics_refuse_a_non_loopback_address(cli):
    result = cli.run("watch", "--once", "--metrics", "0.0.0.0:9464")
    assert result.exit_code == 2 and "loopback" in result.stderr


@pytest.fixture
def network_ctx_factory(make_ctx):
    return lambda: make_ctx()
