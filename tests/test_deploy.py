"""The deployment: a 2-of-3 Safe governs every proxy; the record matches the chain; a
re-run does nothing and a mismatching record is never overwritten."""

from __future__ import annotations

import json

import pytest

from upgrader.chain.rpc import code_at, implementation_of
from upgrader.deploy.system import deploy_local_system
from upgrader.errors import UnsafeError
from upgrader.manifest import ManifestStore


def test_safe_is_two_of_three(chain):
    from upgrader.sim.safe_exec import safe_contract

    safe = safe_contract(chain.w3, chain.safe)
    assert safe.functions.getThreshold().call() == 2
    assert sorted(safe.functions.getOwners().call()) == sorted(chain.owners)
    assert safe.functions.VERSION().call() == "1.4.1"


def test_every_proxy_points_at_its_recorded_v1_and_is_governed_by_the_safe(chain):
    for record in chain.manifest.proxies:
        assert implementation_of(chain.w3, record.address) == record.implementation.address
        assert code_at(chain.w3, record.implementation.address)
        assert chain.contract(record.name).functions.governance().call() == chain.safe
        assert record.implementation.contract.startswith("contracts/v1/")


def test_rerun_with_matching_record_does_nothing(chain):
    store = ManifestStore(chain.config.deployments, chain.network)
    before = store.path.read_bytes()
    block = chain.w3.eth.block_number
    result = deploy_local_system(chain.w3, chain.config, chain.network, chain.build_info)
    assert not result.created
    assert store.path.read_bytes() == before
    assert chain.w3.eth.block_number == block


def test_mismatching_record_is_reported_and_not_overwritten(chain):
    store = ManifestStore(chain.config.deployments, chain.network)
    original = store.path.read_text()
    data = json.loads(original)
    data["proxies"][0]["implementation"]["address"] = "0x" + "11" * 20
    store.path.write_text(json.dumps(data))
    try:
        with pytest.raises(UnsafeError, match="does not match the chain"):
            deploy_local_system(chain.w3, chain.config, chain.network, chain.build_info)
        assert json.loads(store.path.read_text()) == data
    finally:
        store.path.write_text(original)
