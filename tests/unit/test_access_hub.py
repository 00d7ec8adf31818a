"""AccessHub: roles (admin, manager, operator), who may change them, and their events."""

from __future__ import annotations

import pytest
from unit_helpers import (
    ADMIN_ROLE,
    MANAGER_ROLE,
    OPERATOR_ROLE,
    ZERO,
    assert_reverts,
    calldata,
    error_data,
    events,
    oz_error,
    safe_call,
    transact,
)

pytestmark = pytest.mark.chain


@pytest.fixture
def hub(chain):
    return chain.contract("AccessHub")


def test_initial_state(chain, hub):
    f = hub.functions
    assert f.governance().call() == chain.safe
    assert f.version().call() == "1.0.0"
    assert f.ADMIN_ROLE().call() == ADMIN_ROLE
    assert f.MANAGER_ROLE().call() == MANAGER_ROLE
    assert f.OPERATOR_ROLE().call() == OPERATOR_ROLE
    for role in (ADMIN_ROLE, MANAGER_ROLE, OPERATOR_ROLE):
        assert f.hasRole(role, chain.deployer).call()
        assert f.roleMemberCount(role).call() == 1
        assert not f.hasRole(role, chain.safe).call()


def test_admin_grants_a_role_with_an_event(chain, hub):
    someone = chain.w3.eth.accounts[5]
    receipt = transact(hub.functions.grantRole(MANAGER_ROLE, someone), chain.deployer)
    assert events(hub, "RoleGranted", receipt) == [{"role": MANAGER_ROLE, "account": someone, "sender": chain.deployer}]
    assert hub.functions.hasRole(MANAGER_ROLE, someone).call()
    assert not hub.functions.hasRole(OPERATOR_ROLE, someone).call()
    assert hub.functions.roleMemberCount(MANAGER_ROLE).call() == 2


def test_granting_a_held_role_is_a_silent_no_op(chain, hub):
    receipt = transact(hub.functions.grantRole(MANAGER_ROLE, chain.deployer), chain.deployer)
    assert events(hub, "RoleGranted", receipt) == []
    assert hub.functions.roleMemberCount(MANAGER_ROLE).call() == 1


@pytest.mark.parametrize("index", [1, 5])  # a Safe owner (not an admin) and an unrelated account
def test_non_admin_cannot_grant_or_revoke(chain, hub, index):
    caller = chain.w3.eth.accounts[index]
    unauthorized = error_data(hub.abi, "Unauthorized", caller)
    assert_reverts(hub.functions.grantRole(ADMIN_ROLE, caller), caller, unauthorized)
    assert_reverts(hub.functions.revokeRole(MANAGER_ROLE, chain.deployer), caller, unauthorized)
    assert not hub.functions.hasRole(ADMIN_ROLE, caller).call()
    assert hub.functions.hasRole(MANAGER_ROLE, chain.deployer).call()


def test_a_revoked_admin_loses_its_power(chain, hub):
    second = chain.w3.eth.accounts[6]
    transact(hub.functions.grantRole(ADMIN_ROLE, second), chain.deployer)
    transact(hub.functions.revokeRole(ADMIN_ROLE, chain.deployer), second)
    assert_reverts(
        hub.functions.grantRole(MANAGER_ROLE, chain.w3.eth.accounts[7]),
        chain.deployer,
        error_data(hub.abi, "Unauthorized", chain.deployer),
    )


def test_grant_to_zero_address_reverts(chain, hub):
    assert_reverts(hub.functions.grantRole(OPERATOR_ROLE, ZERO), chain.deployer, error_data(hub.abi, "ZeroAddress"))


def test_revoke_emits_and_updates_count(chain, hub):
    someone = chain.w3.eth.accounts[5]
    transact(hub.functions.grantRole(OPERATOR_ROLE, someone), chain.deployer)
    receipt = transact(hub.functions.revokeRole(OPERATOR_ROLE, someone), chain.deployer)
    assert events(hub, "RoleRevoked", receipt) == [{"role": OPERATOR_ROLE, "account": someone, "sender": chain.deployer}]
    assert not hub.functions.hasRole(OPERATOR_ROLE, someone).call()
    assert hub.functions.roleMemberCount(OPERATOR_ROLE).call() == 1


def test_revoking_an_unheld_role_is_a_silent_no_op(chain, hub):
    receipt = transact(hub.functions.revokeRole(MANAGER_ROLE, chain.w3.eth.accounts[8]), chain.deployer)
    assert events(hub, "RoleRevoked", receipt) == []
    assert hub.functions.roleMemberCount(MANAGER_ROLE).call() == 1


def test_the_last_admin_cannot_be_removed(chain, hub):
    assert_reverts(hub.functions.revokeRole(ADMIN_ROLE, chain.deployer), chain.deployer, error_data(hub.abi, "LastAdmin"))
    second = chain.w3.eth.accounts[6]
    transact(hub.functions.grantRole(ADMIN_ROLE, second), chain.deployer)
    transact(hub.functions.revokeRole(ADMIN_ROLE, chain.deployer), chain.deployer)  # now allowed
    assert hub.functions.roleMemberCount(ADMIN_ROLE).call() == 1
    assert_reverts(hub.functions.revokeRole(ADMIN_ROLE, second), second, error_data(hub.abi, "LastAdmin"))


def test_governance_safe_manages_roles_through_exec_transaction(chain, hub):
    someone = chain.w3.eth.accounts[9]
    receipt = safe_call(chain, hub.address, calldata(hub.functions.grantRole(ADMIN_ROLE, someone)))
    assert events(hub, "RoleGranted", receipt) == [{"role": ADMIN_ROLE, "account": someone, "sender": chain.safe}]
    assert hub.functions.hasRole(ADMIN_ROLE, someone).call()
    safe_call(chain, hub.address, calldata(hub.functions.revokeRole(ADMIN_ROLE, someone)))
    assert not hub.functions.hasRole(ADMIN_ROLE, someone).call()


def test_proxy_cannot_be_initialized_again(chain, hub):
    attacker = chain.w3.eth.accounts[7]
    assert_reverts(hub.functions.initialize(attacker, attacker), attacker, oz_error("InvalidInitialization"))
    assert hub.functions.governance().call() == chain.safe
