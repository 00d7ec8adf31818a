"""`upgrader review` through the CLI runner: exit codes, JSON, the human view, lookup by hash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from review_helpers import ATTACKER, batch_file, calldata, raw_tx
from typer.testing import CliRunner

from upgrader.cli.main import app
from upgrader.safe.tx import SafeTx

runner = CliRunner()


@pytest.fixture
def deployments(tmp_path: Path, manifest) -> Path:
    folder = tmp_path / "deployments"
    (folder / "local").mkdir(parents=True)
    (folder / "local" / "manifest.json").write_text(json.dumps(manifest.to_json()))
    return folder


def invoke(deployments: Path, *args: str):
    env = {"UPGRADER_DEPLOYMENTS": str(deployments), "COLUMNS": "140"}
    return runner.invoke(app, ["review", *args, "--offline"], env=env)


def test_clean_batch_exits_0_with_hashes_and_calls(deployments, tmp_path, upgrade_calls):
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(batch_file(upgrade_calls)))
    result = invoke(deployments, str(path))
    assert result.exit_code == 0, result.output
    assert "As your hardware wallet shows them" in result.output
    assert "RentVault.upgradeToAndCall" in result.output and "no red warnings" in result.output
    out = json.loads(invoke(deployments, str(path), "--json").stdout)
    assert out["ok"] and out["warnings"] == [] and out["checksum"] == {"present": True, "valid": True}
    assert out["safe_tx_hash"].startswith("0x") and len(out["safe_tx_hash"]) == 66


def test_bybit_batch_exits_1_and_says_do_not_sign(deployments, tmp_path):
    tx = SafeTx(to=ATTACKER, data=calldata("transfer(address,uint256)", ["address", "uint256"], [ATTACKER, 0]), operation=1, nonce=71)
    path = tmp_path / "tx.json"
    path.write_text(json.dumps(raw_tx(tx)))
    result = invoke(deployments, str(path))
    assert result.exit_code == 1
    assert "DO NOT SIGN" in result.output and "RED delegatecall" in result.output
    out = json.loads(invoke(deployments, str(path), "--json").stdout)
    assert out["ok"] is False and "delegatecall" in {w["kind"] for w in out["warnings"]}


def test_review_by_safe_tx_hash_finds_the_proposal(deployments, upgrade_calls):
    batch = batch_file(upgrade_calls, nonce=3)
    tmp = deployments / "probe.json"
    tmp.write_text(json.dumps(batch))
    safe_tx_hash = json.loads(invoke(deployments, str(tmp), "--json").stdout)["safe_tx_hash"]
    proposals = deployments / "local" / "proposals"
    proposals.mkdir()
    (proposals / f"{safe_tx_hash}.json").write_text(json.dumps(batch))
    result = invoke(deployments, safe_tx_hash, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["safe_tx_hash"] == safe_tx_hash
    # a file named after another hash than its content is red
    (proposals / ("0x" + "ee" * 32 + ".json")).write_text(json.dumps(batch))
    result = invoke(deployments, "0x" + "ee" * 32, "--json")
    assert result.exit_code == 1
    assert {w["kind"] for w in json.loads(result.stdout)["warnings"]} == {"hash-mismatch", "nonce-conflict"}


@pytest.mark.parametrize("content,message", [
    (None, "no such file"),
    ("{not json", "is not valid JSON"),
    ('{"hello": 1}', "neither a Transaction Builder batch"),
    ('{"to": "0x1234", "nonce": 1, "safe": "0x1234", "chainId": 1}', "not a 20-byte hex address"),
    ('{"to": "0x0000000000000000000000000000000000000001"}', "has no nonce"),
])
def test_bad_input_exits_2_with_one_line(deployments, tmp_path, content, message):
    path = tmp_path / "input.json"
    if content is not None:
        path.write_text(content)
    result = invoke(deployments, str(path))
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_unknown_hash_exits_2(deployments):
    result = invoke(deployments, "0x" + "12" * 32)
    assert result.exit_code == 2 and "no proposal" in result.output
