"""Beacon proxies: every BeaconProxy asks one UpgradeableBeacon for its implementation, so
one ``UpgradeableBeacon.upgradeTo`` upgrades them all. The beacon cannot run an initializer
through the proxies; a reinitializer is called on each proxy in the same batch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from eth_utils import to_checksum_address

from upgrader.proxies import abi
from upgrader.constants import BEACON_SLOT, ZERO_ADDRESS
from upgrader.chain.rpc import read_address_slot
from upgrader.proxies.base import Upgrade, UpgradeCall, call_view, encode, owner_of

if TYPE_CHECKING:
    from web3 import Web3

    from upgrader.manifest import ProxyRecord


class Beacon:
    name: ClassVar[str] = "beacon"
    label: ClassVar[str] = "BeaconProxy + UpgradeableBeacon (OpenZeppelin)"

    def implementation(self, w3: "Web3", record: "ProxyRecord") -> str:
        impl = call_view(w3, _beacon(record), abi.IMPLEMENTATION)
        return to_checksum_address(impl) if impl else ZERO_ADDRESS

    def governor(self, w3: "Web3", record: "ProxyRecord") -> str | None:
        return owner_of(w3, _beacon(record))

    def upgrade_calls(self, record: "ProxyRecord", implementation: str, init: bytes, init_label: str) -> list[UpgradeCall]:
        calls = [UpgradeCall(_beacon(record), encode(abi.UPGRADE_TO, [implementation]),
                             f"UpgradeableBeacon.upgradeTo({implementation}) for {record.name} ({len(holders(record))} proxies)")]
        if init:
            calls += [UpgradeCall(p, init, f"{record.name} proxy {p}: {init_label}") for p in holders(record)]
        return calls

    def structure_drift(self, w3: "Web3", record: "ProxyRecord") -> str | None:
        moved = [p for p in holders(record) if read_address_slot(w3, p, BEACON_SLOT) != record.beacon]
        return None if not moved else f"{len(moved)} proxies no longer use beacon {record.beacon}: {', '.join(moved[:3])}"

    def storage_holders(self, record: "ProxyRecord") -> list[str]:
        return holders(record)

    def upgrade_targets(self, record: "ProxyRecord") -> list[str]:
        return [_beacon(record)]

    def upgrades_in(self, to: str, function: str, args: list[Any], record: "ProxyRecord") -> list[Upgrade]:
        if to.lower() != _beacon(record).lower() or function != "upgradeTo" or not args:
            return []
        return [Upgrade(record, to_checksum_address(args[0]), None)]


def holders(record: "ProxyRecord") -> list[str]:
    """Every proxy of the beacon, the named one first."""
    return [record.address, *(p for p in record.beacon_proxies if p != record.address)]


def _beacon(record: "ProxyRecord") -> str:
    if not record.beacon:
        raise ValueError(f"{record.name}: the manifest records no beacon for this beacon proxy")
    return record.beacon
