"""Every red warning class on a crafted batch, and the clean batch that raises none."""

from __future__ import annotations

import copy

import pytest
from review_helpers import (
    ATTACKER, MSCO, PROXIES, SAFE, TOKEN, batch_file, calldata, kinds, raw_tx, rent_vault_upgrade, run,
)

from upgrader.build import artifacts
from upgrader.chain import create2
from upgrader.stages.review.subject import queued_nonces
from upgrader.safe import Call, encode_multisend
from upgrader.safe.addresses import MULTISEND_1_4_1, MULTISEND_CALL_ONLY_1_4_1
from upgrader.safe.multisend import Batch
from upgrader.safe.tx import SafeTx

RV = PROXIES["RentVault"][0]
V2 = "contracts/v2/RentVaultV2.sol:RentVaultV2"


def test_clean_upgrade_batch_has_no_red_warning(ctx, upgrade_calls):
    report = run(batch_file(upgrade_calls), ctx)
    assert report.ok and kinds(report) == set(), [w.message for w in report.warnings]
    assert report.subject.checksum == {"present": True, "valid": True}
    # offline the implementation is deployed by the batch itself: nothing to verify on chain
    assert kinds(report, None) == set()
    deploy, upgrade = report.root.calls
    assert deploy.summary() == f"deploy RentVaultV2 at {deploy.deploy.address}"
    assert upgrade.summary() == (f"RentVault.upgradeToAndCall({deploy.deploy.address} (RentVaultV2 (build, CREATE2)), "
                                 "RentVaultV2.initializeV2(500, 259200))")


# -- Bybit: a DELEGATECALL whose code overwrites the Safe's singleton, shown as a transfer -------

def bybit_tx(nonce: int = 71) -> SafeTx:
    # On 21 Feb 2025 the signers saw a routine transfer; the Safe DELEGATECALLed a contract
    # whose transfer(address,uint256) did `sstore(0, to)`: slot 0 of a Safe proxy is its singleton.
    data = calldata("transfer(address,uint256)", ["address", "uint256"], ["0xbDd077f651EBe7f7b3cE16fe5F2b025BE2969516", 0])
    return SafeTx(to=ATTACKER, data=data, operation=1, nonce=nonce)


def test_bybit_style_delegatecall_is_red_and_names_the_singleton(ctx):
    report = run(raw_tx(bybit_tx()), ctx)
    assert not report.ok
    assert {"delegatecall", "untrusted-target"} <= kinds(report)
    warning = next(w for w in report.warnings if w.kind == "delegatecall")
    assert "singleton" in warning.message and "Bybit" in warning.message
    # the disguise is decoded for what it claims to be, and still flagged
    assert report.root.summary().startswith("transfer(0xbDd077f651EBe7f7b3cE16fe5F2b025BE2969516, 0)")
    assert report.root.to_name is None


def test_bybit_style_delegatecall_hidden_inside_a_trusted_batch(ctx, upgrade_calls):
    sweep = Call(ATTACKER, calldata("sweepETH(address)", ["address"], [ATTACKER]), 0, 1)
    packed = encode_multisend([*upgrade_calls, sweep])
    tx = SafeTx(to=MSCO, data=packed, operation=1, nonce=3)
    report = run(raw_tx(tx), ctx)
    paths = {w.path for w in report.warnings if w.kind == "delegatecall"}
    assert paths == {"0.3"}  # the outer DELEGATECALL to our MultiSendCallOnly is fine
    assert report.root.calls[2].summary().startswith("unknown function 0x")


def test_delegatecall_to_a_multisend_that_can_delegatecall_is_red(ctx, upgrade_calls):
    tx = SafeTx(to=MULTISEND_1_4_1, data=encode_multisend(upgrade_calls), operation=1, nonce=3)
    assert "delegatecall" in kinds(run(raw_tx(tx), ctx))
    canonical = SafeTx(to=MULTISEND_CALL_ONLY_1_4_1, data=encode_multisend(upgrade_calls), operation=1, nonce=3)
    assert "delegatecall" not in kinds(run(raw_tx(canonical), ctx))


# -- the Safe's own configuration ---------------------------------------------------------------

SETTINGS = [
    ("addOwnerWithThreshold(address,uint256)", ["address", "uint256"], [ATTACKER, 1]),
    ("removeOwner(address,address,uint256)", ["address", "address", "uint256"], ["0x" + "00" * 19 + "01", ATTACKER, 1]),
    ("swapOwner(address,address,address)", ["address", "address", "address"], ["0x" + "00" * 19 + "01", SAFE, ATTACKER]),
    ("changeThreshold(uint256)", ["uint256"], [1]),
    ("enableModule(address)", ["address"], [ATTACKER]),
    ("disableModule(address,address)", ["address", "address"], ["0x" + "00" * 19 + "01", ATTACKER]),
    ("setGuard(address)", ["address"], [ATTACKER]),
    ("setModuleGuard(address)", ["address"], [ATTACKER]),
    ("setFallbackHandler(address)", ["address"], [ATTACKER]),
]


@pytest.mark.parametrize("sig,types,args", SETTINGS, ids=[s[0].split("(")[0] for s in SETTINGS])
def test_every_safe_settings_change_is_red(ctx, upgrade_calls, sig, types, args):
    call = Call(SAFE, calldata(sig, types, args))
    report = run(batch_file([*upgrade_calls, call]), ctx)
    hit = [w for w in report.warnings if w.kind == "safe-settings-change"]
    assert len(hit) == 1 and hit[0].path == "0.3"
    assert report.root.calls[2].function == sig.split("(")[0]
    assert report.root.calls[2].contract == "this Safe"


def test_add_owner_and_change_threshold_as_a_single_call(ctx):
    tx = SafeTx(to=SAFE, data=calldata("addOwnerWithThreshold(address,uint256)", ["address", "uint256"], [ATTACKER, 1]), nonce=1)
    report = run(raw_tx(tx), ctx)
    assert "safe-settings-change" in kinds(report)
    assert f"addOwnerWithThreshold({ATTACKER}, 1)" in report.root.summary()


def test_unknown_call_to_the_safe_is_red(ctx):
    tx = SafeTx(to=SAFE, data=bytes.fromhex("deadbeef") + bytes(32), nonce=1)
    assert "safe-self-call" in kinds(run(raw_tx(tx), ctx))


# -- gas refund, nonce, targets -----------------------------------------------------------------

@pytest.mark.parametrize("field,value", [("gas_price", 1), ("gas_token", TOKEN), ("refund_receiver", ATTACKER)])
def test_gas_refund_fields_are_red(ctx, upgrade_calls, field, value):
    tx = Batch(upgrade_calls).to_safe_tx(MSCO, 4)
    tx = SafeTx(**{**{k: getattr(tx, k) for k in ("to", "value", "data", "operation")}, field: value, "nonce": 4})
    report = run(raw_tx(tx), ctx)
    assert kinds(report) == {"gas-refund"}


def test_another_queued_transaction_with_the_same_nonce_is_red(ctx, upgrade_calls, tmp_path):
    import json

    other = batch_file([Call(RV, calldata("pause()", [], []))], nonce=7)
    (tmp_path / ("0x" + "ab" * 32 + ".json")).write_text(json.dumps(other))
    ctx.proposals_dir = tmp_path
    report = run(batch_file(upgrade_calls, nonce=7), ctx)
    assert kinds(report) == {"nonce-conflict"}
    assert queued_nonces(tmp_path, 31337, SAFE) == {"0x" + "ab" * 32: 7}
    assert kinds(run(batch_file(upgrade_calls, nonce=8), ctx)) == set()
    ctx.proposals_dir, ctx.queued = None, {"0x" + "cd" * 32: 8}  # e.g. from the Transaction Service
    assert kinds(run(batch_file(upgrade_calls, nonce=8), ctx)) == {"nonce-conflict"}


def test_targets_other_than_our_proxies_are_red(ctx, upgrade_calls):
    transfer = Call(TOKEN, calldata("transfer(address,uint256)", ["address", "uint256"], [ATTACKER, 10**24]))
    report = run(batch_file([*upgrade_calls, transfer, Call(ATTACKER, b"", 10**18)]), ctx)
    hit = {w.path for w in report.warnings if w.kind == "untrusted-target"}
    assert hit == {"0.3", "0.4"}
    assert report.root.calls[2].to_name == "MockERC20"
    assert report.root.calls[3].summary() == f"send {10**18} wei"


# -- implementations ----------------------------------------------------------------------------

def test_deploying_code_that_is_not_in_the_build_is_red(ctx, build_info):
    tampered = bytearray(artifacts.find(build_info, V2).initcode)
    tampered[-40] ^= 0xFF  # inside the metadata hash: a different program as far as anyone knows
    report = run(batch_file(rent_vault_upgrade(build_info, V2, bytes(tampered))), ctx)
    assert {"unknown-deploy", "implementation-mismatch"} <= kinds(report)


def test_upgrade_to_an_unknown_address_is_red(ctx):
    data = calldata("upgradeToAndCall(address,bytes)", ["address", "bytes"], [ATTACKER, b""])
    assert "implementation-unknown" in kinds(run(batch_file([Call(RV, data)]), ctx))


def test_existing_implementation_code_is_verified_only_when_online(ctx, build_info):
    art = artifacts.find(build_info, V2)
    impl = create2.address_of(art.initcode)
    upgrade = Call(RV, calldata("upgradeToAndCall(address,bytes)", ["address", "bytes"], [impl, b""]))
    offline = run(batch_file([upgrade]), ctx)
    assert offline.ok and kinds(offline, "yellow") == {"implementation-not-verified"}
    ctx.read_code = lambda address: art.runtime
    assert kinds(run(batch_file([upgrade]), ctx), None) == set()
    ctx.read_code = lambda address: artifacts.find(build_info, "RentVault").runtime
    assert "implementation-mismatch" in kinds(run(batch_file([upgrade]), ctx))
    ctx.read_code = lambda address: b""
    assert "implementation-mismatch" in kinds(run(batch_file([upgrade]), ctx))


def test_upgrade_the_checker_rejects_is_red(ctx, build_info):
    calls = rent_vault_upgrade(build_info, "contracts/v2/PropertyRegistryV2.sol:PropertyRegistryV2")
    report = run(batch_file(calls), ctx)
    hit = [w for w in report.warnings if w.kind == "checker-rejects"]
    assert len(hit) == 1 and "layout-delete" in hit[0].message


# -- the file itself ----------------------------------------------------------------------------

def test_tampered_checksum_is_red(ctx, upgrade_calls):
    batch = batch_file(upgrade_calls)
    tampered = copy.deepcopy(batch)
    tampered["transactions"][1]["to"] = PROXIES["PropertyRegistry"][0]
    report = run(tampered, ctx)
    assert report.subject.checksum == {"present": True, "valid": False}
    assert "checksum-invalid" in kinds(report)


def test_shown_arguments_that_differ_from_data_are_red(ctx, build_info, upgrade_calls):
    from upgrader.safe.abi_values import method_from_abi

    art = artifacts.find(build_info, "RentVault")
    method = method_from_abi(next(f for f in art.abi if f.get("name") == "upgradeToAndCall"))
    batch = batch_file(upgrade_calls)
    entry = batch["transactions"][1]
    entry["contractMethod"] = method
    entry["contractInputsValues"] = {"newImplementation": PROXIES["AccessHub"][0], "data": "0x"}
    report = run(batch, ctx)
    assert "display-mismatch" in kinds(report)
    # the review decodes what executes (data), not what is shown
    assert "RentVaultV2.initializeV2(500, 259200)" in report.root.calls[1].summary()


def test_claimed_hash_that_differs_from_the_fields_is_red(ctx, upgrade_calls):
    tx = Batch(upgrade_calls).to_safe_tx(MSCO, 5)
    assert "hash-mismatch" in kinds(run(raw_tx(tx, safeTxHash="0x" + "11" * 32), ctx))


def test_batch_for_another_safe_or_chain_is_red(ctx, upgrade_calls):
    assert "wrong-safe" in kinds(run(batch_file(upgrade_calls, chain_id=1), ctx))
    assert "wrong-safe" in kinds(run(batch_file(upgrade_calls, safe=ATTACKER), ctx))


def test_truncated_multisend_is_red(ctx, upgrade_calls):
    data = encode_multisend(upgrade_calls)
    tx = SafeTx(to=MSCO, data=data[:-40] + bytes(8), operation=1, nonce=1)
    report = run(raw_tx(tx), ctx)
    assert "undecodable" in kinds(report)


def test_no_nonce_is_a_note_and_hashes_are_absent(ctx, upgrade_calls):
    report = run(batch_file(upgrade_calls, nonce=None), ctx)
    assert report.ok and "no-nonce" in kinds(report, "yellow")
    assert report.to_json()["safe_tx_hash"] is None


def test_transaction_service_queue_and_fetch(ctx, upgrade_calls):
    """`review <safeTxHash> --tx-service URL` (stages.review.session.review_with_service, the production
    path) through the real client over loopback HTTP: the proposal is fetched by hash and the
    service's queue is read for nonce rivals; the bodies are the Transaction Service's pending
    transaction recorded in tests/service/recorded/tx-service-queued-page.json (its source named
    there), carrying these transactions."""
    import json
    import sys
    from pathlib import Path

    service_tests = Path(__file__).resolve().parents[1] / "service"
    sys.path.insert(0, str(service_tests))
    from canned_server import canned

    from upgrader.stages.review.session import review_with_service as _review_with_service

    template = json.loads((service_tests / "recorded" / "tx-service-queued-page.json").read_text())["body"]["results"][0]
    tx = Batch(upgrade_calls).to_safe_tx(MSCO, 12)
    rival = SafeTx(to=RV, data=calldata("pause()", [], []), nonce=12)

    def body(t, h):
        return {**template, "safe": SAFE, **t.to_json(), "nonce": t.nonce, "safeTxHash": h}

    honest = run(raw_tx(tx), ctx).hashes["safe_tx_hash"]
    rival_page = {"count": 1, "next": None, "previous": None, "results": [body(rival, "0x" + "77" * 32)]}
    with canned([(200, body(tx, honest)), (200, rival_page), (200, body(tx, "0x" + "99" * 32)), (200, rival_page)]) as server:
        report = _review_with_service(honest, ctx, None, server.url, "no-such-network")
        lying = _review_with_service("0x" + "99" * 32, ctx, None, server.url, "no-such-network")
    assert [s["path"] for s in server.seen][:2] == [f"/api/v2/multisig-transactions/{honest}/",
                                                   f"/api/v2/safes/{SAFE}/multisig-transactions/?limit=100&executed=false"]
    assert kinds(report) == {"nonce-conflict"} and "0x" + "77" * 32 in report.red[0].message
    assert "hash-mismatch" in kinds(lying)
