"""UUPS proxies (ERC-1822 via ERC-1967): the implementation upgrades itself, so the upgrade
call goes to the proxy. OpenZeppelin 5 only has ``upgradeToAndCall``; OpenZeppelin 4.x has
both, and its ``upgradeToAndCall`` with empty data reverts (4.x ``ERC1967Upgrade`` runs the
call unless ``forceCall``), so with no initializer 4.x gets ``upgradeTo``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from eth_utils import to_checksum_address

from upgrader.proxies import abi
from upgrader.constants import IMPLEMENTATION_SLOT
from upgrader.chain.rpc import read_address_slot
from upgrader.proxies.base import Upgrade, UpgradeCall, encode, owner_of

if TYPE_CHECKING:
    from web3 import Web3

    from upgrader.manifest import ProxyRecord


class Uups:
    name: ClassVar[str] = "uups"
    label: ClassVar[str] = "UUPS (OpenZeppelin 5)"

    def implementation(self, w3: "Web3", record: "ProxyRecord") -> str:
        return read_address_slot(w3, record.address, IMPLEMENTATION_SLOT)

    def governor(self, w3: "Web3", record: "ProxyRecord") -> str | None:
        return owner_of(w3, record.address)

    def upgrade_calls(self, record: "ProxyRecord", implementation: str, init: bytes, init_label: str) -> list[UpgradeCall]:
        data = encode(abi.UPGRADE_TO_AND_CALL, [implementation, init])
        return [UpgradeCall(record.address, data, f"{record.name}.upgradeToAndCall({implementation}, {init_label})")]

    def structure_drift(self, w3: "Web3", record: "ProxyRecord") -> str | None:
        return None

    def storage_holders(self, record: "ProxyRecord") -> list[str]:
        return [record.address]

    def upgrade_targets(self, record: "ProxyRecord") -> list[str]:
        return [record.address]

    def upgrades_in(self, to: str, function: str, args: list[Any], record: "ProxyRecord") -> list[Upgrade]:
        if to.lower() != record.address.lower() or not args:
            return []
        if function == "upgradeToAndCall":
            return [Upgrade(record, to_checksum_address(args[0]), bytes(args[1]) if len(args) > 1 else None)]
        if function == "upgradeTo":
            return [Upgrade(record, to_checksum_address(args[0]), None)]
        return []


class UupsOz4(Uups):
    name: ClassVar[str] = "uups-oz4"
    label: ClassVar[str] = "UUPS (OpenZeppelin 4.x)"

    def upgrade_calls(self, record: "ProxyRecord", implementation: str, init: bytes, init_label: str) -> list[UpgradeCall]:
        if init:
            return super().upgrade_calls(record, implementation, init, init_label)
        data = encode(abi.UPGRADE_TO, [implementation])
        return [UpgradeCall(record.address, data, f"{record.name}.upgradeTo({implementation})")]
