"""Owners sign the SafeTx as EIP-712 typed data: with in-memory keys, and with ape keyfile
accounts imported into an isolated ape data folder, unlocked from ape's passphrase variable
(no prompt on stdout; no terminal and no passphrase is one line, exit 2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from service_helpers import write_passing_simulation
from upgrader.errors import InputError
from upgrader.stages.propose import propose
from upgrader.stages.sign.signer import ApeSigner, KeySigner, resolve_signer, signable_hash, signed
from upgrader.safe.signatures import recover_signature
from upgrader.safe.tx import SafeDomain, SafeTx, safe_tx_hash, typed_data

PASSPHRASE = "correct horse battery staple"


def test_typed_data_signature_is_the_wallets_and_recovers(keys):
    tx = SafeTx(to=keys.outsider.address, value=1, data=b"\x12\x34", operation=0, nonce=7)
    domain = SafeDomain(chain_id=11155111, safe="0x" + "5a" * 20, version="1.4.1")
    h = safe_tx_hash(tx, domain)
    typed = typed_data(tx, domain)
    assert signable_hash(typed) == h
    owner = keys.owners[0]
    sig = bytes.fromhex(signed(KeySigner(owner), h, typed)[2:])
    assert recover_signature(h, sig).signer == owner.address
    # eth_account's own eth_signTypedData_v4 of the same JSON gives the same signature
    theirs = Account.sign_typed_data(owner.key, full_message=typed)
    assert sig == theirs.r.to_bytes(32, "big") + theirs.s.to_bytes(32, "big") + bytes([theirs.v])
    with pytest.raises(InputError, match="does not hash to the safeTxHash"):
        signed(KeySigner(owner), h, typed_data(SafeTx(to=tx.to, value=2, nonce=7), domain))


@pytest.fixture
def ape_folder(tmp_path: Path, keys: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated ape data folder holding the three owners as keyfile accounts kf0..kf2."""
    from ape import config

    folder = tmp_path / "ape"
    (folder / "accounts").mkdir(parents=True)
    for i, owner in enumerate(keys.owners):
        (folder / "accounts" / f"kf{i}.json").write_text(json.dumps(Account.encrypt(owner.key, PASSPHRASE)))
    monkeypatch.setattr(config, "DATA_FOLDER", folder)
    # ape caches the accounts folder (a cached_property) and loaded keyfiles (by alias) per process
    from ape import accounts
    from ape_accounts.accounts import AccountContainer

    container = accounts.containers["accounts"]
    monkeypatch.setitem(container.__dict__, "data_folder", folder / "accounts")
    monkeypatch.setattr(AccountContainer, "loaded_accounts", {})
    for i in range(3):
        monkeypatch.delenv(f"APE_ACCOUNTS_kf{i}_PASSPHRASE", raising=False)
    return folder


def test_keyfile_account_signs_typed_data_from_its_passphrase_variable(ape_folder, keys, monkeypatch, capfd):
    monkeypatch.setenv("APE_ACCOUNTS_kf1_PASSPHRASE", PASSPHRASE)
    signer = resolve_signer("kf1", 11155111, [o.address for o in keys.owners])
    assert isinstance(signer, ApeSigner) and signer.address == keys.owners[1].address
    tx = SafeTx(to=keys.outsider.address, nonce=3)
    domain = SafeDomain(chain_id=11155111, safe="0x" + "5a" * 20, version="1.4.1")
    h = safe_tx_hash(tx, domain)
    sig = signed(signer, h, typed_data(tx, domain))
    assert recover_signature(h, sig).signer == keys.owners[1].address
    assert capfd.readouterr().out == ""  # nothing of ape's on stdout
    assert PASSPHRASE not in repr(signer)


def test_locked_keyfile_without_terminal_or_passphrase_is_one_line(ape_folder, keys, monkeypatch):
    signer = resolve_signer("kf0", 11155111, [])
    with pytest.raises(InputError, match="set APE_ACCOUNTS_kf0_PASSPHRASE"):
        signed(signer, b"\x01" * 32, None)
    monkeypatch.setenv("APE_ACCOUNTS_kf0_PASSPHRASE", "wrong")
    with pytest.raises(InputError, match="could not unlock account 'kf0'"):
        resolve_signer("kf0", 11155111, []).sign_typed({})


@pytest.mark.chain
def test_cli_confirm_with_keyfile_owner(ape_folder, ctx, simulated_plan, client, service, keys, monkeypatch):
    """propose (library, first owner), then `upgrader confirm --sender kf1 --json`: JSON only on
    stdout; without the passphrase: exit 2, one line."""
    from typer.testing import CliRunner

    from upgrader.cli.main import app

    result = propose(ctx, simulated_plan, client, KeySigner(keys.owners[0]))
    folder = ctx.config.deployments
    manifest = json.loads((folder / ctx.network.name / "manifest.json").read_text())
    manifest["network"] = "local"
    (folder / "local").mkdir(exist_ok=True)
    (folder / "local" / "manifest.json").write_text(json.dumps(manifest))
    env = {"UPGRADER_DEPLOYMENTS": str(folder), "UPGRADER_RPC_LOCAL": ctx.network.rpc,
           "UPGRADER_TX_SERVICE": service.url, "NO_COLOR": "1"}
    locked = CliRunner().invoke(app, ["confirm", result.safe_tx_hash, "--sender", "kf1", "--json"], env=env)
    assert locked.exit_code == 2, locked.stderr
    assert locked.stdout == "" or json.loads(locked.stdout)["error"]["kind"] == "input"
    assert locked.stderr.count("\n") == 1 and "set APE_ACCOUNTS_kf1_PASSPHRASE" in locked.stderr
    env["APE_ACCOUNTS_kf1_PASSPHRASE"] = PASSPHRASE
    ok = CliRunner().invoke(app, ["confirm", result.safe_tx_hash, "--sender", "kf1", "--json"], env=env)
    assert ok.exit_code == 0, ok.stderr
    out = json.loads(ok.stdout)
    assert out["owner"] == keys.owners[1].address and out["confirmations"] == 2
    queued = client.multisig_transaction(result.safe_tx_hash)
    assert {c.owner for c in queued.confirmations} == {keys.owners[0].address, keys.owners[1].address}
