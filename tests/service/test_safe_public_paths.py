"""With no ``safe_api`` a network uses Safe's Transaction Service at Safe's public URL for its
chain: ``https://api.safe.global/tx-service/<shortName>/api/...`` (safe-global/safe-core-sdk
``packages/api-kit/src/utils/config.ts`` @ 99486267). A recording HTTP server on loopback stands
in for api.safe.global (``UPGRADER_SAFE_API_ORIGIN``), with the local service behind the
``/tx-service/sep`` prefix; an Anvil plays Sepolia (chain 11155111, shortName ``sep``) with the
system deployed under a real Safe 1.4.1. ``upgrader plan``, ``propose``, ``confirm``, ``delegate
list`` and ``watch`` run as commands; every request they send is checked for its path and body
against api-kit's requests (SafeApiKit.ts @ 99486267).

The test accounts sign (Anvil's dev keys): the signer's lookup treats this Anvil as the dev
chain it is (``DEV_CHAIN_IDS``) -- nothing about the requests depends on that."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from recording_server import recording

pytestmark = pytest.mark.chain

ROOT = Path(__file__).resolve().parents[2]
PROPOSE_FIELDS = {"to", "value", "data", "operation", "safeTxGas", "baseGas", "gasPrice", "gasToken", "refundReceiver",
                  "nonce", "contractTransactionHash", "sender", "signature", "origin"}  # SafeApiKit.ts proposeTransaction (l. 621-631)


@pytest.fixture
def sepolia(build_info, tmp_path, monkeypatch):
    from upgrader import config as cfg
    from upgrader.chain import anvil as anvil_mod
    from upgrader.chain.rpc import connect
    from upgrader.deploy.system import deploy_local_system
    from upgrader.safe_service.local.service import LocalTransactionService
    from upgrader.stages.sign import signer

    with anvil_mod.running(["--chain-id", "11155111", "--silent"], root=ROOT) as node:
        base = cfg.load(ROOT)
        net = cfg.NetworkConfig("sepolia", node.url, 11155111, None)  # no safe_api, no tx_service
        project = replace(base, networks={**base.networks, "sepolia": net}, deployments=tmp_path / "deployments")
        manifest = deploy_local_system(connect(node.url), project, "sepolia", build_info).manifest
        monkeypatch.setattr(cfg, "load", lambda root=None: project)
        monkeypatch.setattr(signer, "DEV_CHAIN_IDS", (*signer.DEV_CHAIN_IDS, 11155111))
        monkeypatch.delenv("SAFE_API_KEY", raising=False)
        monkeypatch.delenv("UPGRADER_TX_SERVICE", raising=False)
        service = LocalTransactionService(node.url, tmp_path / "service.json")
        with recording(service, "sep") as server:
            monkeypatch.setenv("UPGRADER_SAFE_API_ORIGIN", server.origin)
            yield {"server": server, "manifest": manifest, "w3": connect(node.url)}


def _cli(*args):
    from typer.testing import CliRunner

    from upgrader.cli.main import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"}, catch_exceptions=False)


def _requests(server, since):
    return server.seen[since:]


def test_with_no_safe_api_the_commands_address_safes_public_transaction_service(sepolia):
    from upgrader.safe.signatures import recover_signature

    server, manifest = sepolia["server"], sepolia["manifest"]
    safe, api = manifest.safe.address, "/tx-service/sep/api"
    owners = sorted(manifest.safe.owners, key=lambda o: int(o, 16))

    planned = _cli("plan", "--network", "sepolia", "--json")
    assert planned.exit_code == 0, planned.output
    plan_path = json.loads(planned.stdout)["path"]
    assert server.seen == []  # planning asks no service

    proposed = _cli("propose", plan_path, "--sender", owners[0], "--skip-simulation",
                    "--accept-red", "no fork of this Sepolia stand-in", "--json")
    assert proposed.exit_code == 0, proposed.output
    out = json.loads(proposed.stdout)
    h = out["safe_tx_hash"]
    assert out["service"] == server.origin + "/tx-service/sep"
    propose_reqs = _requests(server, 0)
    (post,) = [r for r in propose_reqs if r["method"] == "POST"]
    assert post["path"] == f"{api}/v2/safes/{safe}/multisig-transactions/"  # SafeApiKit.ts l. 621
    assert set(post["body"]) == PROPOSE_FIELDS and post["body"]["contractTransactionHash"] == h
    assert post["body"]["sender"] == owners[0] and recover_signature(h, post["body"]["signature"]).signer == owners[0]
    gets = [r["path"] for r in propose_reqs if r["method"] == "GET"]
    assert f"{api}/v2/safes/{safe}/multisig-transactions/?limit=100&nonce__gte=0&executed=false" in gets  # l. 744
    assert f"{api}/v2/multisig-transactions/{h}/" in gets  # l. 461

    mark = len(server.seen)
    confirmed = _cli("confirm", h, "--sender", owners[1], "--network", "sepolia",
                     "--accept-red", "not simulated, as the proposer said", "--json")
    assert confirmed.exit_code == 0, confirmed.output
    assert json.loads(confirmed.stdout)["confirmations"] == 2
    (conf,) = [r for r in _requests(server, mark) if r["method"] == "POST"]
    assert conf["path"] == f"{api}/v1/multisig-transactions/{h}/confirmations/"  # l. 504
    assert list(conf["body"]) == ["signature"] and recover_signature(h, conf["body"]["signature"]).signer == owners[1]

    mark = len(server.seen)
    listed = _cli("delegate", "list", "--network", "sepolia", "--json")
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout)["delegates"] == []
    assert [r["path"] for r in _requests(server, mark)] == [f"{api}/v2/delegates/?safe={safe}&limit=100"]  # l. 219-241

    mark = len(server.seen)
    watched = _cli("watch", "--network", "sepolia", "--once", "--json")
    assert watched.exit_code in (0, 1), watched.output
    assert f"{api}/v2/safes/{safe}/multisig-transactions/?limit=100&executed=false" in [r["path"] for r in _requests(server, mark)]

    assert all(r["path"].startswith(api + "/") for r in server.seen), [r["path"] for r in server.seen]
    assert all(r["authorization"] is None for r in server.seen)  # no key set: none sent
