"""`upgrader safe-hash` end to end through the CLI runner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from upgrader.cli.main import app

runner = CliRunner()


def vector_args(v: dict) -> list[str]:
    return [
        "safe-hash", "--chain-id", str(v["chain_id"]), "--safe", v["safe"], "--to", v["to"],
        "--value", v["value"], "--data", v["data"], "--operation", str(v["operation"]),
        "--safe-tx-gas", v["safe_tx_gas"], "--base-gas", v["base_gas"], "--gas-price", v["gas_price"],
        "--gas-token", v["gas_token"], "--refund-receiver", v["refund_receiver"],
        "--nonce", str(v["nonce"]), "--safe-version", v["safe_version"],
    ]


def test_json_output_reproduces_the_vector(safe_tx_vector):
    result = runner.invoke(app, [*vector_args(safe_tx_vector), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    expected = safe_tx_vector["expected"]
    assert out["domain_hash"].startswith(expected["domain_hash_prefix"])
    assert out["message_hash"].startswith(expected["message_hash_prefix"])
    assert out["safe_tx_hash"] == expected["safe_tx_hash"]
    assert out["encoded_data"] == "0x1901" + out["domain_hash"][2:] + out["message_hash"][2:]
    assert out["tx"]["nonce"] == "234" and out["safe_version"] == "1.3.0"
    assert any("calls itself" in w for w in out["warnings"])


def test_human_output_shows_hashes_like_a_hardware_wallet(safe_tx_vector):
    result = runner.invoke(app, vector_args(safe_tx_vector), env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "0x1CF7F9B1" in result.stdout and "0xD9109EA6" in result.stdout
    assert safe_tx_vector["expected"]["safe_tx_hash"] in result.stdout


def test_defaults_and_delegatecall_warning():
    msco = "0x9641d764fc13c8B624c04430C7356C1C7C8102e2"
    args = ["safe-hash", "--chain-id", "1", "--safe", "0x" + "11" * 20, "--to", "0x" + "22" * 20,
            "--nonce", "0", "--operation", "1", "--json"]
    out = json.loads(runner.invoke(app, args).stdout)
    assert out["safe_version"] == "1.4.1" and out["tx"]["data"] == "0x"
    assert any("DELEGATECALL" in w and "unknown contract" in w for w in out["warnings"])
    args[args.index("--to") + 1] = msco
    out = json.loads(runner.invoke(app, args).stdout)
    assert out["to_name"] == "Safe MultiSendCallOnly 1.4.1"


BASE = ["safe-hash", "--chain-id", "1", "--safe", "0x" + "11" * 20, "--to", "0x" + "22" * 20, "--nonce", "3"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--operation", "2"], "operation"),
        (["--safe-version", "9.9.9"], "unknown Safe version"),
        (["--gas-token", "0x1234"], "gasToken"),
        (["--value", "-5"], "value"),
        (["--data", "0xabc"], "odd number"),
        (["--nonce", "ten"], "nonce"),
    ],
)
def test_bad_input_exits_2_with_one_line(extra, message):
    args = list(BASE)
    if extra[0] == "--nonce":
        args = args[:-2]
    result = runner.invoke(app, [*args, *extra])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_bad_safe_address_exits_2():
    args = list(BASE)
    args[args.index("--safe") + 1] = "0xnothex"
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "safe" in result.stderr
