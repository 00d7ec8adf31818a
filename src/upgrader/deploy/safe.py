"""Deploy a Safe (singleton, proxy factory, MultiSendCallOnly) from the bytecode that
ape-safe ships in its package manifests, and create a Safe proxy with owners/threshold."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eth_utils import to_checksum_address

from upgrader.chain import create2
from upgrader.chain.rpc import send
from upgrader.constants import ZERO_ADDRESS

if TYPE_CHECKING:
    from web3 import Web3

SAFE_VERSION = "1.4.1"


@dataclass(frozen=True)
class SafeContract:
    name: str
    abi: list[dict[str, Any]]
    initcode: bytes


@cache
def safe_contracts(version: str = SAFE_VERSION) -> dict[str, SafeContract]:
    spec = importlib.util.find_spec("ape_safe")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("ape-safe is not installed; run `make install`")
    path = Path(next(iter(spec.submodule_search_locations))) / "manifests" / f"safe-v{version}.json"
    data = json.loads(path.read_text())["contractTypes"]
    return {
        name: SafeContract(name, ct["abi"], bytes.fromhex(ct["deploymentBytecode"]["bytecode"][2:]))
        for name, ct in data.items()
        if ct.get("deploymentBytecode", {}).get("bytecode")
    }


@dataclass(frozen=True)
class SafeInfrastructure:
    singleton: str
    proxy_factory: str
    multisend_call_only: str


def deploy_infrastructure(w3: "Web3", deployer: str, version: str = SAFE_VERSION) -> SafeInfrastructure:
    """Deterministic (CREATE2, fixed salt) so a re-run finds the same contracts."""
    parts = safe_contracts(version)
    salt = bytes(32)
    addresses = {
        name: create2.ensure_deployed(w3, deployer, parts[name].initcode, salt)[0]
        for name in ("SafeL2", "SafeProxyFactory", "MultiSendCallOnly")
    }
    return SafeInfrastructure(addresses["SafeL2"], addresses["SafeProxyFactory"], addresses["MultiSendCallOnly"])


def create_safe(
    w3: "Web3", deployer: str, infra: SafeInfrastructure, owners: list[str], threshold: int, salt_nonce: int = 0
) -> str:
    parts = safe_contracts()
    singleton = w3.eth.contract(address=infra.singleton, abi=parts["SafeL2"].abi)
    factory = w3.eth.contract(address=infra.proxy_factory, abi=parts["SafeProxyFactory"].abi)
    setup = singleton.encode_abi(
        "setup", [[to_checksum_address(o) for o in owners], threshold, ZERO_ADDRESS, b"", ZERO_ADDRESS, ZERO_ADDRESS, 0, ZERO_ADDRESS]
    )
    receipt = send(
        w3,
        factory.functions.createProxyWithNonce(infra.singleton, bytes.fromhex(setup[2:]), salt_nonce).build_transaction(
            {"from": deployer}
        ),
    )
    from web3.logs import DISCARD

    events = factory.events.ProxyCreation().process_receipt(receipt, errors=DISCARD)
    return to_checksum_address(events[0]["args"]["proxy"])


def safe_abi() -> list[dict[str, Any]]:
    return safe_contracts()["SafeL2"].abi
