"""RentVault: deposits credited per property, withdrawals only by the current property owner,
exact accounting (token balance == totalEscrowed == sum of balances) and the events."""

from __future__ import annotations

import pytest
from unit_helpers import (
    ZERO,
    assert_reverts,
    error_data,
    events,
    mint_and_approve,
    oz_error,
    transact,
)

pytestmark = pytest.mark.chain

UNIT = 10**18


@pytest.fixture
def vault(chain):
    return chain.contract("RentVault")


@pytest.fixture
def reg(chain):
    return chain.contract("PropertyRegistry")


@pytest.fixture
def token(chain):
    return chain.contract("MockERC20")


@pytest.fixture
def props(chain, reg):
    """Two properties: id 1 owned by account 4, id 2 by account 5."""
    a, b = chain.w3.eth.accounts[4:6]
    transact(reg.functions.registerProperty(a, "ipfs://1"), chain.deployer)
    transact(reg.functions.registerProperty(b, "ipfs://2"), chain.deployer)
    return {1: a, 2: b}


def books(vault, token, ids):
    """(token balance of the vault, totalEscrowed, per-property balances)."""
    return (
        token.functions.balanceOf(vault.address).call(),
        vault.functions.totalEscrowed().call(),
        [vault.functions.balanceOf(i).call() for i in ids],
    )


def test_wiring(chain, vault):
    f = vault.functions
    assert f.governance().call() == chain.safe
    assert f.accessHub().call() == chain.address("AccessHub")
    assert f.registry().call() == chain.address("PropertyRegistry")
    assert f.token().call() == chain.address("MockERC20")
    assert f.version().call() == "1.0.0"
    assert f.totalEscrowed().call() == 0


def test_deposit_credits_the_property_with_event(chain, vault, token, props):
    payer = chain.w3.eth.accounts[8]
    mint_and_approve(chain, payer, 10 * UNIT)
    receipt = transact(vault.functions.deposit(1, 3 * UNIT), payer)
    assert events(vault, "RentDeposited", receipt) == [{"propertyId": 1, "payer": payer, "amount": 3 * UNIT}]
    transact(vault.functions.deposit(2, 2 * UNIT), payer)
    transact(vault.functions.deposit(1, 1), payer)
    assert books(vault, token, [1, 2]) == (5 * UNIT + 1, 5 * UNIT + 1, [3 * UNIT + 1, 2 * UNIT])
    assert token.functions.balanceOf(payer).call() == 5 * UNIT - 1


def test_deposit_errors(chain, vault, token, props):
    payer = chain.w3.eth.accounts[8]
    mint_and_approve(chain, payer, UNIT)
    assert_reverts(vault.functions.deposit(1, 0), payer, error_data(vault.abi, "ZeroAmount"))
    assert_reverts(vault.functions.deposit(3, UNIT), payer, error_data(vault.abi, "UnknownProperty", 3))
    assert_reverts(vault.functions.deposit(0, UNIT), payer, error_data(vault.abi, "UnknownProperty", 0))
    # more than approved: the token's own error bubbles up
    assert_reverts(
        vault.functions.deposit(1, UNIT + 1),
        payer,
        oz_error("ERC20InsufficientAllowance", ("address", "uint256", "uint256"), (vault.address, UNIT, UNIT + 1)),
    )
    assert books(vault, token, [1, 2]) == (0, 0, [0, 0])


def test_owner_withdraws_to_any_address_with_event(chain, vault, token, props):
    payer, owner, dest = chain.w3.eth.accounts[8], props[1], chain.w3.eth.accounts[9]
    mint_and_approve(chain, payer, 10 * UNIT)
    transact(vault.functions.deposit(1, 10 * UNIT), payer)
    receipt = transact(vault.functions.withdraw(1, 4 * UNIT, dest), owner)
    assert events(vault, "RentWithdrawn", receipt) == [{"propertyId": 1, "owner": owner, "to": dest, "amount": 4 * UNIT}]
    assert token.functions.balanceOf(dest).call() == 4 * UNIT
    transact(vault.functions.withdraw(1, 6 * UNIT, owner), owner)  # the rest, exactly
    assert token.functions.balanceOf(owner).call() == 6 * UNIT
    assert books(vault, token, [1, 2]) == (0, 0, [0, 0])


def test_only_the_property_owner_withdraws(chain, vault, token, props):
    payer = chain.w3.eth.accounts[8]
    mint_and_approve(chain, payer, UNIT)
    transact(vault.functions.deposit(1, UNIT), payer)
    # the payer, the owner of another property, the manager/admin deployer and the Safe owners
    for caller in (payer, props[2], chain.deployer, *chain.owners):
        assert_reverts(vault.functions.withdraw(1, 1, caller), caller, error_data(vault.abi, "NotPropertyOwner", 1, caller))
    assert books(vault, token, [1, 2]) == (UNIT, UNIT, [UNIT, 0])


def test_withdraw_errors(chain, vault, token, props):
    payer, owner = chain.w3.eth.accounts[8], props[1]
    mint_and_approve(chain, payer, 2 * UNIT)
    transact(vault.functions.deposit(1, UNIT), payer)
    transact(vault.functions.deposit(2, UNIT), payer)
    assert_reverts(vault.functions.withdraw(1, 0, owner), owner, error_data(vault.abi, "ZeroAmount"))
    assert_reverts(vault.functions.withdraw(1, 1, ZERO), owner, error_data(vault.abi, "ZeroAddress"))
    # property 1 cannot draw on property 2's escrow even though the vault holds enough
    assert_reverts(
        vault.functions.withdraw(1, UNIT + 1, owner), owner, error_data(vault.abi, "InsufficientBalance", 1, UNIT, UNIT + 1)
    )
    reg_abi = chain.contract("PropertyRegistry").abi
    assert_reverts(vault.functions.withdraw(9, 1, owner), owner, error_data(reg_abi, "UnknownProperty", 9))
    assert books(vault, token, [1, 2]) == (2 * UNIT, 2 * UNIT, [UNIT, UNIT])


def test_withdrawal_right_follows_the_property(chain, vault, token, reg, props):
    payer, old, new = chain.w3.eth.accounts[8], props[1], chain.w3.eth.accounts[9]
    mint_and_approve(chain, payer, UNIT)
    transact(vault.functions.deposit(1, UNIT), payer)
    transact(reg.functions.transferProperty(1, new), old)
    assert_reverts(vault.functions.withdraw(1, UNIT, old), old, error_data(vault.abi, "NotPropertyOwner", 1, old))
    transact(vault.functions.withdraw(1, UNIT, new), new)
    assert token.functions.balanceOf(new).call() == UNIT
    assert books(vault, token, [1, 2]) == (0, 0, [0, 0])


def test_a_direct_token_transfer_is_not_escrow(chain, vault, token, props):
    """Tokens sent to the vault without deposit() credit no property: balance >= totalEscrowed."""
    donor = chain.w3.eth.accounts[8]
    mint_and_approve(chain, donor, 2 * UNIT)
    transact(token.functions.transfer(vault.address, UNIT), donor)
    transact(vault.functions.deposit(2, UNIT), donor)
    assert books(vault, token, [1, 2]) == (2 * UNIT, UNIT, [0, UNIT])
    assert_reverts(vault.functions.withdraw(1, 1, props[1]), props[1], error_data(vault.abi, "InsufficientBalance", 1, 0, 1))


def test_proxy_cannot_be_initialized_again(chain, vault):
    attacker = chain.w3.eth.accounts[7]
    assert_reverts(
        vault.functions.initialize(attacker, attacker, attacker, attacker), attacker, oz_error("InvalidInitialization")
    )
    assert vault.functions.governance().call() == chain.safe
