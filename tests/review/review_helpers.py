"""Helpers for the review tests: fixed addresses, crafted calldata, batch files and raw Safe
transactions, and a one-call review."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from eth_abi import encode as abi_encode
from eth_utils import keccak

from upgrader.build import artifacts
from upgrader.chain import create2
from upgrader.stages.review.report import ReviewContext, review
from upgrader.stages.review.subject import subject_from_json
from upgrader.safe import Call, add_checksum, build_batch_file
from upgrader.safe.tx import SafeTx

VECTORS = Path(__file__).resolve().parents[2] / ".." / "shared" / "vectors"
CHAIN_ID = 31337
SAFE = "0xBbA193834C351eEC02433A3A724aF2f3246F44Ac"
MSCO = "0xc7F19395AC33DeF31EB288ce4d473BD335F980D3"  # the local Safe's MultiSendCallOnly (not canonical)
PROXIES = {
    "AccessHub": ("0x0165878A594ca255338adfa4d48449f69242Eb8F", "contracts/v1/AccessHub.sol:AccessHub"),
    "PropertyRegistry": ("0x2279B7A0a67DB372996a5FaB50D91eAA73d2eBe6", "contracts/v1/PropertyRegistry.sol:PropertyRegistry"),
    "RentVault": ("0x610178dA211FEF7D417bC0e6FeD39F05609AD788", "contracts/v1/RentVault.sol:RentVault"),
}
TOKEN = "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9"
ATTACKER = "0x96221423681A6d52E184D440a8eFCEbB105C7242"  # the Bybit attacker's contract


def selector(sig: str) -> bytes:
    return keccak(text=sig)[:4]


def calldata(sig: str, types: list[str], args: list[Any]) -> bytes:
    return selector(sig) + abi_encode(types, args)


def rent_vault_upgrade(build_info: dict, fqn: str, initcode: bytes | None = None) -> list[Call]:
    art = artifacts.find(build_info, fqn)
    code = art.initcode if initcode is None else initcode
    impl = create2.address_of(code)
    init = calldata("initializeV2(uint16,uint32)", ["uint16", "uint32"], [500, 259200])
    upgrade = calldata("upgradeToAndCall(address,bytes)", ["address", "bytes"], [impl, init])
    return [Call(create2.DEPLOYER, create2.deploy_calldata(code)), Call(PROXIES["RentVault"][0], upgrade)]


def batch_file(calls: list[Call], nonce: int | None = 7, safe: str = SAFE, chain_id: int = CHAIN_ID) -> dict[str, Any]:
    batch = build_batch_file(chain_id=chain_id, safe=safe, calls=calls, name="test", created_at_ms=1700000000000)
    if nonce is not None:
        batch = copy.deepcopy(batch)
        batch["meta"]["nonce"] = str(nonce)
        batch = add_checksum(batch)
    return batch


def raw_tx(tx: SafeTx, safe: str = SAFE, chain_id: int = CHAIN_ID, **extra: Any) -> dict[str, Any]:
    return {**tx.to_json(), "safe": safe, "chainId": str(chain_id), **extra}


def run(obj: dict[str, Any], ctx: ReviewContext, source: str = "test.json"):
    return review(subject_from_json(json.loads(json.dumps(obj)), source), ctx)


def kinds(report: Any, severity: str | None = "red") -> set[str]:
    return {w.kind for w in report.warnings if severity is None or w.severity == severity}


def load_vector(name: str) -> dict[str, Any]:
    path = VECTORS / name
    if not path.is_file():
        pytest.fail(f"public test vector {path.resolve()} is missing", pytrace=False)
    return json.loads(path.read_text())
