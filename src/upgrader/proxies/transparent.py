"""Transparent proxies: only their ProxyAdmin may upgrade them, so the call goes to the
ProxyAdmin with the proxy as first argument. OpenZeppelin 5's ProxyAdmin has only
``upgradeAndCall`` (empty data is fine); 4.x has ``upgrade`` and ``upgradeAndCall``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from eth_utils import to_checksum_address

from upgrader.proxies import abi
from upgrader.constants import ADMIN_SLOT, IMPLEMENTATION_SLOT
from upgrader.chain.rpc import read_address_slot
from upgrader.proxies.base import Upgrade, UpgradeCall, encode, owner_of

if TYPE_CHECKING:
    from web3 import Web3

    from upgrader.manifest import ProxyRecord


class Transparent:
    name: ClassVar[str] = "transparent"
    label: ClassVar[str] = "Transparent + ProxyAdmin (OpenZeppelin 5)"

    def implementation(self, w3: "Web3", record: "ProxyRecord") -> str:
        return read_address_slot(w3, record.address, IMPLEMENTATION_SLOT)

    def admin(self, w3: "Web3", record: "ProxyRecord") -> str:
        return read_address_slot(w3, record.address, ADMIN_SLOT)

    def governor(self, w3: "Web3", record: "ProxyRecord") -> str | None:
        return owner_of(w3, self.admin(w3, record))

    def upgrade_calls(self, record: "ProxyRecord", implementation: str, init: bytes, init_label: str) -> list[UpgradeCall]:
        data = encode(abi.ADMIN_UPGRADE_AND_CALL, [record.address, implementation, init])
        return [UpgradeCall(_admin(record), data, f"ProxyAdmin.upgradeAndCall({record.name} {record.address}, {implementation}, {init_label})")]

    def structure_drift(self, w3: "Web3", record: "ProxyRecord") -> str | None:
        admin = self.admin(w3, record)
        return None if admin == record.admin else f"ProxyAdmin on chain is {admin}, manifest records {record.admin}"

    def storage_holders(self, record: "ProxyRecord") -> list[str]:
        return [record.address]

    def upgrade_targets(self, record: "ProxyRecord") -> list[str]:
        return [_admin(record)]

    def upgrades_in(self, to: str, function: str, args: list[Any], record: "ProxyRecord") -> list[Upgrade]:
        if to.lower() != _admin(record).lower() or len(args) < 2 or str(args[0]).lower() != record.address.lower():
            return []
        if function == "upgradeAndCall":
            return [Upgrade(record, to_checksum_address(args[1]), bytes(args[2]) if len(args) > 2 else None)]
        if function == "upgrade":
            return [Upgrade(record, to_checksum_address(args[1]), None)]
        return []


class TransparentOz4(Transparent):
    name: ClassVar[str] = "transparent-oz4"
    label: ClassVar[str] = "Transparent + ProxyAdmin (OpenZeppelin 4.x)"

    def upgrade_calls(self, record: "ProxyRecord", implementation: str, init: bytes, init_label: str) -> list[UpgradeCall]:
        if init:
            return super().upgrade_calls(record, implementation, init, init_label)
        data = encode(abi.ADMIN_UPGRADE, [record.address, implementation])
        return [UpgradeCall(_admin(record), data, f"ProxyAdmin.upgrade({record.name} {record.address}, {implementation})")]


def _admin(record: "ProxyRecord") -> str:
    if not record.admin:
        raise ValueError(f"{record.name}: the manifest records no ProxyAdmin for this transparent proxy")
    return record.admin
