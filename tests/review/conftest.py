"""Offline review fixtures: the manifest the deploy stage wrote for the V1 system on the session
chain (deterministic addresses: the ones review_helpers names), reviewed without a node."""

from __future__ import annotations

import pytest
from review_helpers import CHAIN_ID, MSCO, PROXIES, SAFE, TOKEN, rent_vault_upgrade

from upgrader.manifest import Manifest
from upgrader.stages.review.report import ReviewContext
from upgrader.safe import Call


@pytest.fixture(scope="session")
def manifest(system) -> Manifest:
    """The session deploy's manifest under the network name these tests review offline
    (``local``); its addresses are the fixed ones the crafted batches use."""
    m = Manifest.model_validate({**system.manifest.model_dump(), "network": "local"})
    assert (m.chain_id, m.safe.address, m.safe.multisend_call_only, m.extras["MockERC20"]) == (CHAIN_ID, SAFE, MSCO, TOKEN)
    assert {p.name: p.address for p in m.proxies} == {name: address for name, (address, _) in PROXIES.items()}
    return m


@pytest.fixture
def ctx(manifest: Manifest, build_info: dict) -> ReviewContext:
    return ReviewContext(manifest=manifest, build_info=build_info)


@pytest.fixture(scope="session")
def upgrade_calls(build_info: dict) -> list[Call]:
    """What a plan for RentVault -> RentVaultV2 contains: the CREATE2 deploy, then upgradeToAndCall."""
    return rent_vault_upgrade(build_info, "contracts/v2/RentVaultV2.sol:RentVaultV2")


