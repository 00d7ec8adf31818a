"""Deploy a Safe (singleton, proxy factory, MultiSendCallOnly) from the bytecode that
ape-safe ships in its package manifests, and create a Safe proxy with owners/threshold.

``safe_infrastructure`` takes Safe's canonical 1.4.1 deployments (safe-global/safe-deployments)
when the chain has them; otherwise it deploys ape-safe's bytecode through the CREATE2 deployer
with a zero salt, so every chain without them (a fresh Anvil) gets the same addresses.
A sender is an address the node has unlocked or a ``deploy.sender.Sender``."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eth_utils import to_checksum_address

from upgrader.chain import create2
from upgrader.chain.rpc import code_at
from upgrader.constants import ZERO_ADDRESS
from upgrader.errors import InputError, SetupError

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
    data = json.loads(_manifest_path(version).read_text())["contractTypes"]
    return {
        name: SafeContract(name, ct["abi"], bytes.fromhex(ct["deploymentBytecode"]["bytecode"][2:]))
        for name, ct in data.items()
        if ct.get("deploymentBytecode", {}).get("bytecode")
    }


def _manifest_path(version: str) -> Path:
    spec = importlib.util.find_spec("ape_safe")
    if spec is None or not spec.submodule_search_locations:
        raise SetupError("ape-safe (the Safe contracts' bytecode) is not installed; run `make install`")
    return Path(next(iter(spec.submodule_search_locations))) / "manifests" / f"safe-v{version}.json"


@dataclass(frozen=True)
class SafeInfrastructure:
    singleton: str
    proxy_factory: str
    multisend_call_only: str


INFRASTRUCTURE = ("SafeL2", "SafeProxyFactory", "MultiSendCallOnly")


def deterministic_address(name: str, version: str = SAFE_VERSION) -> str:
    """Where ``deploy_infrastructure`` puts ape-safe's ``name`` of ``version``."""
    return create2.address_of(safe_contracts(version)[name].initcode, bytes(32))


def runtime_hash(name: str, version: str = SAFE_VERSION) -> str:
    """keccak256 of the runtime code of ape-safe's ``name`` (what the deployment leaves on chain)."""
    from upgrader.keccak import keccak

    return "0x" + keccak(_runtime(version)[name]).hex()


@cache
def _runtime(version: str) -> dict[str, bytes]:
    data = json.loads(_manifest_path(version).read_text())["contractTypes"]
    return {name: bytes.fromhex(ct["runtimeBytecode"]["bytecode"][2:]) for name, ct in data.items()
            if ct.get("runtimeBytecode", {}).get("bytecode")}


def deploy_infrastructure(w3: "Web3", deployer: Any, version: str = SAFE_VERSION) -> SafeInfrastructure:
    """Deterministic (CREATE2, fixed salt) so a re-run finds the same contracts."""
    parts = safe_contracts(version)
    salt = bytes(32)
    addresses = {}
    for name in INFRASTRUCTURE:
        address = create2.address_of(parts[name].initcode, salt)
        if not code_at(w3, address):
            if not code_at(w3, create2.DEPLOYER):
                raise InputError(f"chain {w3.eth.chain_id} has neither Safe {version}'s canonical contracts nor the "
                                 f"CREATE2 deployer {create2.DEPLOYER} to deploy them with")
            _sender(w3, deployer).send(create2.DEPLOYER, create2.deploy_calldata(parts[name].initcode, salt))
            if not code_at(w3, address):
                raise InputError(f"deploying Safe {version}'s {name} left no code at {address}")
        addresses[name] = address
    return SafeInfrastructure(addresses["SafeL2"], addresses["SafeProxyFactory"], addresses["MultiSendCallOnly"])


def canonical_infrastructure(w3: "Web3", version: str = SAFE_VERSION) -> SafeInfrastructure | None:
    """Safe's canonical deployments of ``version`` when all three have code here (the
    MultiSendCallOnly with its pinned code hash)."""
    from upgrader.keccak import keccak
    from upgrader.safe.addresses import address_of, lookup

    try:
        singleton, factory = address_of("SafeL2", version), address_of("SafeProxyFactory", version)
        multisend = address_of("MultiSendCallOnly", version)
    except KeyError:
        return None
    pinned = (lookup(multisend).code_hash or "").lower()  # type: ignore[union-attr]
    if not code_at(w3, singleton) or not code_at(w3, factory) or "0x" + keccak(code_at(w3, multisend)).hex() != pinned:
        return None
    return SafeInfrastructure(singleton, factory, multisend)


def safe_infrastructure(w3: "Web3", deployer: Any, version: str = SAFE_VERSION) -> tuple[SafeInfrastructure, bool]:
    """(the contracts, whether they are the canonical deployments)."""
    canonical = canonical_infrastructure(w3, version)
    return (canonical, True) if canonical is not None else (deploy_infrastructure(w3, deployer, version), False)


def _sender(w3: "Web3", deployer: Any) -> Any:
    from upgrader.deploy.sender import Sender

    return Sender(w3, to_checksum_address(deployer)) if isinstance(deployer, str) else deployer


def setup_data(owners: list[str], threshold: int, fallback_handler: str = ZERO_ADDRESS) -> bytes:
    """The initializer of a new Safe proxy: ``setup(owners, threshold, to=0, data="", fallbackHandler,
    paymentToken=0, payment=0, paymentReceiver=0)`` (safe-smart-account v1.4.1 contracts/Safe.sol)."""
    from eth_abi import encode

    from upgrader.keccak import keccak

    args = encode(["address[]", "uint256", "address", "bytes", "address", "address", "uint256", "address"],
                  [[to_checksum_address(o) for o in owners], threshold, ZERO_ADDRESS, b"", fallback_handler, ZERO_ADDRESS, 0, ZERO_ADDRESS])
    return keccak(b"setup(address[],uint256,address,bytes,address,address,uint256,address)")[:4] + args


def predicted_safe(w3: "Web3", infra: SafeInfrastructure, initializer: bytes, salt_nonce: int) -> str:
    """The address ``createProxyWithNonce`` gives: CREATE2 by the factory with salt
    keccak256(keccak256(initializer) . saltNonce) over proxyCreationCode . uint256(singleton)
    (safe-smart-account v1.4.1 contracts/proxies/SafeProxyFactory.sol, deployProxy)."""
    from upgrader.keccak import keccak

    factory = w3.eth.contract(address=infra.proxy_factory, abi=safe_contracts()["SafeProxyFactory"].abi)
    creation = bytes(factory.functions.proxyCreationCode().call())
    salt = keccak(keccak(initializer) + salt_nonce.to_bytes(32, "big"))
    code = creation + int(infra.singleton, 16).to_bytes(32, "big")
    return create2.address_of(code, salt, infra.proxy_factory)


def create_safe(w3: "Web3", deployer: Any, infra: SafeInfrastructure, owners: list[str], threshold: int,
                salt_nonce: int = 0, fallback_handler: str = ZERO_ADDRESS) -> str:
    """The Safe proxy of these owners, threshold and salt nonce (created unless it exists)."""
    initializer = setup_data(owners, threshold, fallback_handler)
    address = predicted_safe(w3, infra, initializer, salt_nonce)
    if code_at(w3, address):
        return address
    factory = w3.eth.contract(address=infra.proxy_factory, abi=safe_contracts()["SafeProxyFactory"].abi)
    call = factory.functions.createProxyWithNonce(infra.singleton, initializer, salt_nonce)
    _sender(w3, deployer).send(infra.proxy_factory, bytes.fromhex(call._encode_transaction_data()[2:]))
    if not code_at(w3, address):
        raise InputError(f"the Safe factory {infra.proxy_factory} created no Safe at {address}")
    return address


@dataclass(frozen=True)
class MadeSafe:
    address: str
    version: str
    owners: tuple[str, ...]
    threshold: int
    singleton: str
    proxy_factory: str
    multisend_call_only: str
    canonical: bool  # the infrastructure is Safe's canonical deployment
    created: bool  # False: it was already there

    def to_json(self) -> dict[str, Any]:
        return {"address": self.address, "version": self.version, "owners": list(self.owners), "threshold": self.threshold,
                "singleton": self.singleton, "proxy_factory": self.proxy_factory,
                "multisend_call_only": self.multisend_call_only, "canonical": self.canonical, "created": self.created}


def make_safe(w3: "Web3", sender: Any, owners: list[str], threshold: int, salt_nonce: int = 0) -> MadeSafe:
    """``upgrader safe create``: a Safe 1.4.1 of ``owners``/``threshold`` (nothing is sent when it
    exists). ``sender`` is called for the account that pays, only when something must be sent."""
    from eth_utils import is_hex_address

    bad = next((o for o in owners if not is_hex_address(o)), None)
    if bad is not None or not owners:
        raise InputError(f"--owners: {bad!r} is not an address (0x + 40 hex digits)" if bad else "--owners: give at least one address")
    owners = [to_checksum_address(o) for o in owners]
    if len(set(owners)) != len(owners):
        raise InputError("--owners: an owner is listed twice")
    if not 1 <= threshold <= len(owners):
        raise InputError(f"--threshold {threshold}: must be between 1 and the number of owners ({len(owners)})")
    lazy = _Lazy(sender)
    canonical = canonical_infrastructure(w3)
    infra = canonical or deploy_infrastructure(w3, lazy)
    handler = _canonical_fallback_handler(w3) if canonical else ZERO_ADDRESS
    address = predicted_safe(w3, infra, setup_data(owners, threshold, handler), salt_nonce)
    existed = bool(code_at(w3, address))
    create_safe(w3, lazy, infra, owners, threshold, salt_nonce, handler)
    return MadeSafe(address, SAFE_VERSION, tuple(owners), threshold, infra.singleton, infra.proxy_factory,
                    infra.multisend_call_only, canonical is not None, not existed)


class _Lazy:
    """A sender made on first use: a re-run that sends nothing needs no account."""

    def __init__(self, make: Any) -> None:
        self._make, self._made = make, None

    def send(self, to: str, data: bytes) -> Any:
        if self._made is None:
            self._made = self._make()
        return self._made.send(to, data)


def _canonical_fallback_handler(w3: "Web3") -> str:
    from upgrader.safe.addresses import address_of

    handler = address_of("CompatibilityFallbackHandler", SAFE_VERSION)
    return handler if code_at(w3, handler) else ZERO_ADDRESS


def safe_abi() -> list[dict[str, Any]]:
    return safe_contracts()["SafeL2"].abi
