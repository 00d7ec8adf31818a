"""PropertyRegistry: registration gated by roles, owner-only transfers, manager-only status
changes, metadata edits, views for unknown ids, and the events of each."""

from __future__ import annotations

import pytest
from unit_helpers import (
    MANAGER_ROLE,
    OPERATOR_ROLE,
    ZERO,
    assert_reverts,
    error_data,
    events,
    oz_error,
    transact,
)

pytestmark = pytest.mark.chain

ACTIVE, LISTED, RENTED, ARCHIVED = 1, 2, 3, 4


@pytest.fixture
def reg(chain):
    return chain.contract("PropertyRegistry")


@pytest.fixture
def hub(chain):
    return chain.contract("AccessHub")


def register(chain, reg, owner, uri="ipfs://p", sender=None):
    receipt = transact(reg.functions.registerProperty(owner, uri), sender or chain.deployer)
    (event,) = events(reg, "PropertyRegistered", receipt)
    return event["id"], receipt


def test_initial_state(chain, reg):
    f = reg.functions
    assert f.governance().call() == chain.safe
    assert f.accessHub().call() == chain.address("AccessHub")
    assert f.propertyCount().call() == 0
    assert f.version().call() == "1.0.0"
    assert not f.exists(1).call()


def test_register_assigns_sequential_ids_from_one_with_event(chain, reg):
    a, b = chain.w3.eth.accounts[4:6]
    id1, receipt = register(chain, reg, a, "ipfs://one")
    assert events(reg, "PropertyRegistered", receipt) == [{"id": 1, "owner": a, "metadataURI": "ipfs://one"}]
    id2, _ = register(chain, reg, b, "ipfs://two")
    id3, _ = register(chain, reg, a, "")
    assert (id1, id2, id3) == (1, 2, 3)
    f = reg.functions
    assert f.propertyCount().call() == 3
    assert [f.ownerOf(i).call() for i in (1, 2, 3)] == [a, b, a]
    assert [f.statusOf(i).call() for i in (1, 2, 3)] == [ACTIVE] * 3
    assert [f.metadataURI(i).call() for i in (1, 2, 3)] == ["ipfs://one", "ipfs://two", ""]
    assert f.propertiesOf(a).call() == 2 and f.propertiesOf(b).call() == 1
    assert f.exists(3).call() and not f.exists(4).call() and not f.exists(0).call()


def test_an_operator_can_register(chain, reg, hub):
    operator, owner = chain.w3.eth.accounts[7], chain.w3.eth.accounts[4]
    transact(hub.functions.grantRole(OPERATOR_ROLE, operator), chain.deployer)
    pid, _ = register(chain, reg, owner, sender=operator)
    assert reg.functions.ownerOf(pid).call() == owner


@pytest.mark.parametrize("index", [1, 4])  # a Safe owner and an unrelated account: no role
def test_register_without_a_role_reverts(chain, reg, index):
    caller = chain.w3.eth.accounts[index]
    assert_reverts(reg.functions.registerProperty(caller, "x"), caller, error_data(reg.abi, "Unauthorized", caller))
    assert reg.functions.propertyCount().call() == 0


def test_revoking_the_roles_removes_the_right_to_register(chain, reg, hub):
    manager = chain.w3.eth.accounts[8]
    transact(hub.functions.grantRole(MANAGER_ROLE, manager), chain.deployer)
    register(chain, reg, manager, sender=manager)
    transact(hub.functions.revokeRole(MANAGER_ROLE, manager), chain.deployer)
    assert_reverts(reg.functions.registerProperty(manager, "x"), manager, error_data(reg.abi, "Unauthorized", manager))


def test_register_for_zero_owner_reverts(chain, reg):
    assert_reverts(reg.functions.registerProperty(ZERO, "x"), chain.deployer, error_data(reg.abi, "ZeroAddress"))


def test_owner_transfers_with_event(chain, reg):
    a, b = chain.w3.eth.accounts[4:6]
    pid, _ = register(chain, reg, a)
    receipt = transact(reg.functions.transferProperty(pid, b), a)
    assert events(reg, "PropertyTransferred", receipt) == [{"id": pid, "from": a, "to": b}]
    assert reg.functions.ownerOf(pid).call() == b
    assert reg.functions.propertiesOf(a).call() == 0 and reg.functions.propertiesOf(b).call() == 1
    assert reg.functions.statusOf(pid).call() == ACTIVE  # a transfer does not touch the rest of the record


def test_only_the_owner_transfers(chain, reg):
    a, b = chain.w3.eth.accounts[4:6]
    pid, _ = register(chain, reg, a)
    # not even a manager or the registering account may move someone's property
    for caller in (b, chain.deployer):
        assert_reverts(reg.functions.transferProperty(pid, caller), caller, error_data(reg.abi, "NotPropertyOwner", pid, caller))
    assert reg.functions.ownerOf(pid).call() == a


def test_transfer_errors(chain, reg):
    a = chain.w3.eth.accounts[4]
    pid, _ = register(chain, reg, a)
    assert_reverts(reg.functions.transferProperty(pid, ZERO), a, error_data(reg.abi, "ZeroAddress"))
    assert_reverts(reg.functions.transferProperty(99, a), a, error_data(reg.abi, "UnknownProperty", 99))


def test_manager_sets_status_with_event(chain, reg):
    pid, _ = register(chain, reg, chain.w3.eth.accounts[4])
    for status in (LISTED, RENTED, ARCHIVED, ACTIVE):
        receipt = transact(reg.functions.setStatus(pid, status), chain.deployer)
        assert events(reg, "StatusChanged", receipt) == [{"id": pid, "status": status}]
        assert reg.functions.statusOf(pid).call() == status


def test_status_needs_the_manager_role(chain, reg, hub):
    owner, operator = chain.w3.eth.accounts[4], chain.w3.eth.accounts[7]
    transact(hub.functions.grantRole(OPERATOR_ROLE, operator), chain.deployer)
    pid, _ = register(chain, reg, owner)
    for caller in (owner, operator):  # neither the owner nor an operator
        assert_reverts(reg.functions.setStatus(pid, LISTED), caller, error_data(reg.abi, "Unauthorized", caller))
    assert reg.functions.statusOf(pid).call() == ACTIVE


@pytest.mark.parametrize("status", [0, 5, 255])
def test_invalid_status_reverts(chain, reg, status):
    pid, _ = register(chain, reg, chain.w3.eth.accounts[4])
    assert_reverts(reg.functions.setStatus(pid, status), chain.deployer, error_data(reg.abi, "InvalidStatus", status))


def test_status_of_unknown_property_reverts(chain, reg):
    assert_reverts(reg.functions.setStatus(7, LISTED), chain.deployer, error_data(reg.abi, "UnknownProperty", 7))


def test_metadata_uri_by_owner_or_manager_with_event(chain, reg):
    owner, stranger = chain.w3.eth.accounts[4], chain.w3.eth.accounts[6]
    pid, _ = register(chain, reg, owner, "ipfs://a")
    receipt = transact(reg.functions.setMetadataURI(pid, "ipfs://b"), owner)
    assert events(reg, "MetadataURIChanged", receipt) == [{"id": pid, "metadataURI": "ipfs://b"}]
    transact(reg.functions.setMetadataURI(pid, "ipfs://c"), chain.deployer)  # manager
    assert reg.functions.metadataURI(pid).call() == "ipfs://c"
    assert_reverts(reg.functions.setMetadataURI(pid, "evil"), stranger, error_data(reg.abi, "Unauthorized", stranger))
    assert_reverts(reg.functions.setMetadataURI(42, "x"), owner, error_data(reg.abi, "UnknownProperty", 42))
    assert reg.functions.metadataURI(pid).call() == "ipfs://c"


def test_views_of_unknown_ids(chain, reg):
    caller = chain.w3.eth.accounts[4]
    assert_reverts(reg.functions.ownerOf(1), caller, error_data(reg.abi, "UnknownProperty", 1))
    assert_reverts(reg.functions.metadataURI(1), caller, error_data(reg.abi, "UnknownProperty", 1))
    assert reg.functions.statusOf(1).call() == 0


def test_proxy_cannot_be_initialized_again(chain, reg):
    attacker = chain.w3.eth.accounts[7]
    assert_reverts(reg.functions.initialize(attacker, attacker), attacker, oz_error("InvalidInitialization"))
    assert reg.functions.governance().call() == chain.safe
