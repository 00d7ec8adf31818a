"""Sample activity for the local demo chain: properties, rent deposits, a withdrawal, so
the upgrade has real state to preserve."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from upgrader.build import artifacts
from upgrader.chain.rpc import send
from upgrader.manifest import Manifest

if TYPE_CHECKING:
    from web3 import Web3

RENT = 1_250 * 10**18


def seed_demo_data(w3: "Web3", manifest: Manifest, build_info: dict[str, Any]) -> int:
    """Returns the number of properties registered."""
    accounts = w3.eth.accounts
    deployer, landlords, tenant = manifest.extras["deployer"], accounts[4:7], accounts[7]

    def contract(address: str, name: str) -> Any:
        return w3.eth.contract(address=address, abi=artifacts.find(build_info, name).abi)

    registry = contract(manifest.proxy("PropertyRegistry").address, "PropertyRegistry")
    vault = contract(manifest.proxy("RentVault").address, "RentVault")
    token = contract(manifest.extras["MockERC20"], "MockERC20")

    def tx(fn: Any, sender: str) -> None:
        send(w3, fn.build_transaction({"from": sender}))

    for i, landlord in enumerate(landlords, 1):
        tx(registry.functions.registerProperty(landlord, f"ipfs://property-{i}"), deployer)
    tx(registry.functions.setStatus(2, 3), deployer)  # Rented
    tx(token.functions.mint(tenant, 10 * RENT), deployer)
    tx(token.functions.approve(vault.address, 10 * RENT), tenant)
    for pid in (1, 2, 2, 3):
        tx(vault.functions.deposit(pid, RENT), tenant)
    tx(vault.functions.withdraw(2, RENT // 2, landlords[1]), landlords[1])
    return len(landlords)
