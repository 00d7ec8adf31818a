"""Service fixtures: the local Safe Transaction Service on a free loopback port, the real HTTP
client pointed at it, a fresh plan with a passing simulation report, owner keys from Anvil's
dev mnemonic."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from service_helpers import write_passing_simulation

from upgrader.stages.context import NetworkContext

ANVIL_MNEMONIC = "test test test test test test test test test test test junk"


@pytest.fixture
def ctx(chain: Any, tmp_path: Path) -> NetworkContext:
    """A NetworkContext on the session chain with a private copy of the deployments folder."""
    folder = tmp_path / "deployments"
    # the manifest only: plans and simulations other tests left in the session folder must not leak in
    shutil.copytree(chain.config.deployments, folder, ignore=shutil.ignore_patterns("plans", "proposals"))
    cfg = replace(chain.config, deployments=folder)
    return NetworkContext(config=cfg, network=cfg.network(chain.network), w3=chain.w3, build=chain.build_info)


@pytest.fixture
def plan(ctx: NetworkContext) -> dict[str, Any]:
    from upgrader.stages.plan import make_plan
    from upgrader.stages.planfile import write_plan

    result = make_plan(ctx)
    assert result is not None, "the session system should have V2 upgrades pending"
    write_plan(result, ctx.plans_dir)
    return result


@pytest.fixture
def simulated_plan(ctx: NetworkContext, plan: dict[str, Any]) -> dict[str, Any]:
    write_passing_simulation(ctx, plan)
    return plan


@pytest.fixture
def service(chain: Any, anvil: Any, tmp_path: Path) -> Iterator[Any]:
    from upgrader.safe_service.local.server import LocalServiceServer, LocalTransactionService

    svc = LocalTransactionService(anvil.url, tmp_path / "service-state.json", (chain.manifest.safe.multisend_call_only,))
    with LocalServiceServer(svc) as server:
        yield server


@pytest.fixture(params=["tx-service", "queue"])
def dialect(request: Any) -> str:
    """Each test that talks to the service runs once per dialect, against the same local service."""
    return request.param


@pytest.fixture
def client(service: Any, dialect: str, chain: Any) -> Any:
    from upgrader.safe_service import HttpTransactionService, RetryPolicy

    return HttpTransactionService(service.url, kind=dialect, chain_id=chain.w3.eth.chain_id, timeout_s=1.0,
                                  retry=RetryPolicy(attempts=6, base_delay_s=0.02, max_delay_s=0.2, total_s=10.0))


@dataclass(frozen=True)
class Keys:
    owners: list[Any]  # LocalAccounts of the Safe owners, ascending by address
    outsider: Any  # a dev account that is not an owner


@pytest.fixture(scope="session")
def keys(system: Any) -> Keys:
    Account.enable_unaudited_hdwallet_features()
    accounts = [Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(10)]
    owners = sorted((a for a in accounts if a.address in system.owners), key=lambda a: int(a.address, 16))
    outsider = next(a for a in accounts if a.address not in system.owners)
    assert len(owners) == 3
    return Keys(owners, outsider)
