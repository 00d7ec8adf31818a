"""`upgrader review FILE --simulate` end to end: forks the network's RPC, exits 1 on a red
simulation finding, and carries the whole diff in --json."""

from __future__ import annotations

import json

import pytest
from eth_abi import encode as abi_encode
from eth_utils import keccak

from upgrader.sim.safe_exec import safe_contract
from upgrader.safe.tx import SafeTx

pytestmark = pytest.mark.chain

ATTACKER = "0x96221423681A6d52E184D440a8eFCEbB105C7242"
EVIL = "0xbDd077f651EBe7f7b3cE16fe5F2b025BE2969516"


def test_review_simulate_of_a_singleton_swap_is_red_in_json_and_text(cli, chain, tmp_path):
    chain.w3.provider.make_request("anvil_setCode", [ATTACKER, "0x60043560005500"])  # sstore(0, calldataload(4))
    data = keccak(text="transfer(address,uint256)")[:4] + abi_encode(["address", "uint256"], [EVIL, 0])
    nonce = safe_contract(chain.w3, chain.safe).functions.nonce().call()
    path = tmp_path / "tx.json"
    path.write_text(json.dumps({**SafeTx(to=ATTACKER, data=data, operation=1, nonce=nonce).to_json(), "safe": chain.safe, "chainId": 31337}))

    result = cli.run("review", str(path), "--simulate", "--json")
    assert result.exit_code == 1, result.stderr
    out = json.loads(result.stdout)
    sim = out["simulation"]
    assert sim["execution"]["ok"] and sim["safe_changes"] == [{"setting": "singleton", "before": sim["safe_changes"][0]["before"], "after": EVIL}]
    assert "safe-config-changed" in {w["kind"] for w in out["warnings"]}

    text = cli.run("review", str(path), "--simulate")
    assert text.exit_code == 1
    assert "Storage changes" in text.stdout and f"singleton: " in text.stdout and EVIL in text.stdout
    assert "RED safe-config-changed" in text.stdout


def test_review_simulate_with_an_unreachable_fork_url_is_one_line(cli, chain, tmp_path):
    path = tmp_path / "tx.json"
    path.write_text(json.dumps({"to": chain.safe, "data": "0x", "safe": chain.safe, "chainId": 31337, "nonce": "0"}))
    result = cli.run("review", str(path), "--simulate", "--fork-url", "http://127.0.0.1:1")
    assert result.exit_code == 2 and "fork URL" in result.stderr and len(result.stderr.strip().splitlines()) == 1
