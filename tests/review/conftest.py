"""Offline review fixtures: a manifest of the V1 system at fixed addresses (layouts and code
hashes from the project build)."""

from __future__ import annotations

import pytest
from review_helpers import MSCO, OWNERS, PROXIES, SAFE, CHAIN_ID, TOKEN, rent_vault_upgrade

from upgrader.build import artifacts
from upgrader.chain import create2
from upgrader.manifest import Implementation, Manifest, ProxyRecord, SafeRecord
from upgrader.manifest.layout import layout_snapshot
from upgrader.stages.review.report import ReviewContext
from upgrader.safe import Call


@pytest.fixture(scope="session")
def manifest(build_info: dict) -> Manifest:
    proxies = []
    for name, (address, fqn) in PROXIES.items():
        art = artifacts.find(build_info, fqn)
        impl = Implementation(address=create2.address_of(art.initcode), contract=fqn, code_hash=art.code_hash,
                              storage_layout=layout_snapshot(build_info, fqn))
        proxies.append(ProxyRecord(name=name, address=address, implementation=impl))
    safe = SafeRecord(address=SAFE, version="1.4.1", owners=OWNERS, threshold=2, multisend_call_only=MSCO)
    return Manifest(network="local", chain_id=CHAIN_ID, safe=safe, proxies=proxies, extras={"MockERC20": TOKEN})


@pytest.fixture
def ctx(manifest: Manifest, build_info: dict) -> ReviewContext:
    return ReviewContext(manifest=manifest, build_info=build_info)


@pytest.fixture(scope="session")
def upgrade_calls(build_info: dict) -> list[Call]:
    """What a plan for RentVault -> RentVaultV2 contains: the CREATE2 deploy, then upgradeToAndCall."""
    return rent_vault_upgrade(build_info, "contracts/v2/RentVaultV2.sol:RentVaultV2")


