"""Deploy the property platform's V1 on a dev chain, governed by a fresh 2-of-3 Safe,
and record it in the manifest. Idempotent: a matching record means nothing to do; a
record that does not match the chain is reported and never overwritten."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from eth_abi import encode as abi_encode
from eth_utils import to_checksum_address

from upgrader.build import artifacts
from upgrader.build.artifacts import Artifact
from upgrader.chain import create2
from upgrader.chain.rpc import code_at, implementation_of, send
from upgrader.config import ProjectConfig
from upgrader.deploy.safe import SAFE_VERSION, create_safe, deploy_infrastructure
from upgrader.errors import UnsafeError
from upgrader.manifest import Implementation, Manifest, ManifestStore, ProxyRecord, SafeRecord
from upgrader.manifest.layout import layout_snapshot

if TYPE_CHECKING:
    from web3 import Web3

Log = Callable[[str], None]


@dataclass(frozen=True)
class DeployResult:
    manifest: Manifest
    created: bool
    mismatches: tuple[str, ...] = ()


def deploy_implementation(w3: "Web3", sender: str, art: Artifact, build_info: dict[str, Any]) -> Implementation:
    address, tx, block = create2.ensure_deployed(w3, sender, art.initcode)
    return Implementation(
        address=address,
        contract=art.fqn,
        code_hash=art.code_hash,
        storage_layout=layout_snapshot(build_info, art.fqn),
        deploy_tx=tx,
        block=block,
    )


def deploy_proxy(w3: "Web3", sender: str, build_info: dict[str, Any], impl: str, init_data: bytes) -> tuple[str, str, int]:
    proxy = artifacts.find(build_info, "ERC1967Proxy")
    initcode = proxy.initcode + abi_encode(["address", "bytes"], [impl, init_data])
    receipt = send(w3, {"from": sender, "data": "0x" + initcode.hex()})
    return to_checksum_address(receipt["contractAddress"]), "0x" + bytes(receipt["transactionHash"]).hex(), int(receipt["blockNumber"])


def _calldata(w3: "Web3", art: Artifact, fn: str, args: list[Any]) -> bytes:
    return bytes.fromhex(w3.eth.contract(abi=art.abi).encode_abi(fn, args)[2:])


def verify_record(w3: "Web3", manifest: Manifest) -> list[str]:
    """What differs between the manifest and the chain (empty: the record matches)."""
    problems = []
    if manifest.chain_id != w3.eth.chain_id:
        return [f"manifest is for chain {manifest.chain_id}, node is chain {w3.eth.chain_id}"]
    if not code_at(w3, manifest.safe.address):
        problems.append(f"no Safe at {manifest.safe.address}")
    for p in manifest.proxies:
        if not code_at(w3, p.address):
            problems.append(f"{p.name}: no code at proxy {p.address}")
            continue
        on_chain = implementation_of(w3, p.address)
        if on_chain != p.implementation.address:
            problems.append(f"{p.name}: implementation on chain {on_chain} != recorded {p.implementation.address}")
    return problems


def deploy_local_system(
    w3: "Web3", config: ProjectConfig, network: str, build_info: dict[str, Any], log: Log = lambda _: None
) -> DeployResult:
    store = ManifestStore(config.deployments, network)
    with store.locked():
        if store.exists():
            manifest = store.load()
            problems = verify_record(w3, manifest)
            if problems:
                raise UnsafeError(
                    f"{store.path} does not match the chain ({'; '.join(problems)}); nothing was overwritten: "
                    "reset the local chain (`make reset`) or restore the record"
                )
            log(f"deployment record {store.path} matches the chain: nothing to do")
            return DeployResult(manifest, created=False)
        manifest = _deploy(w3, config, network, build_info, log)
        store.save(manifest)
        log(f"recorded the deployment in {store.path}")
        return DeployResult(manifest, created=True)


def _deploy(w3: "Web3", config: ProjectConfig, network: str, build_info: dict[str, Any], log: Log) -> Manifest:
    accounts = [to_checksum_address(a) for a in w3.eth.accounts]
    deployer, owners = accounts[0], sorted(accounts[1:4], key=lambda a: int(a, 16))
    infra = deploy_infrastructure(w3, deployer)
    safe = create_safe(w3, deployer, infra, owners, threshold=2)
    log(f"Safe {SAFE_VERSION} at {safe} (2 of 3 owners)")

    token_art = artifacts.find(build_info, "MockERC20")
    receipt = send(w3, {"from": deployer, "data": "0x" + (token_art.initcode + abi_encode(["string", "string"], ["Mock USD", "mUSD"])).hex()})
    token = to_checksum_address(receipt["contractAddress"])
    log(f"MockERC20 (local only) at {token}")

    init_args: dict[str, Callable[[dict[str, str]], list[Any]]] = {
        "AccessHub": lambda _: [safe, deployer],
        "PropertyRegistry": lambda d: [safe, d["AccessHub"]],
        "RentVault": lambda d: [safe, d["AccessHub"], d["PropertyRegistry"], token],
    }
    deployed: dict[str, str] = {}
    records = []
    for name in ("AccessHub", "PropertyRegistry", "RentVault"):
        art = artifacts.find(build_info, config.modules[name].initial)
        impl = deploy_implementation(w3, deployer, art, build_info)
        data = _calldata(w3, art, "initialize", init_args[name](deployed))
        address, tx, block = deploy_proxy(w3, deployer, build_info, impl.address, data)
        deployed[name] = address
        records.append(ProxyRecord(name=name, address=address, deploy_tx=tx, deploy_block=block, implementation=impl))
        log(f"{name} proxy at {address} -> {art.name} at {impl.address}")

    hub_art = artifacts.find(build_info, config.modules["AccessHub"].initial)
    hub = w3.eth.contract(address=deployed["AccessHub"], abi=hub_art.abi)
    for role in ("MANAGER_ROLE", "OPERATOR_ROLE"):
        send(w3, hub.functions.grantRole(getattr(hub.functions, role)().call(), deployer).build_transaction({"from": deployer}))
    return Manifest(
        network=network,
        chain_id=w3.eth.chain_id,
        safe=SafeRecord(
            address=safe, version=SAFE_VERSION, owners=owners, threshold=2,
            singleton=infra.singleton, proxy_factory=infra.proxy_factory, multisend_call_only=infra.multisend_call_only,
        ),
        proxies=records,
        extras={"MockERC20": token, "deployer": deployer},
    )
