"""Which kind of proxy sits at an address, read from its ERC-1967 slots and the code it
points to (the rules OpenZeppelin upgrades-core uses in ``eip-1967.ts`` and
``infer-proxy-kind``: implementation slot -> UUPS or Transparent by the admin slot, beacon
slot -> Beacon; 5.x told from 4.x by ``UPGRADE_INTERFACE_VERSION()``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from eth_utils import to_checksum_address

from upgrader.errors import InputError
from upgrader.proxies import abi
from upgrader.constants import ADMIN_SLOT, BEACON_SLOT, IMPLEMENTATION_SLOT, ZERO_ADDRESS
from upgrader.chain.rpc import read_address_slot
from upgrader.proxies.base import call_view

if TYPE_CHECKING:
    from web3 import Web3

# BeaconUpgraded(address indexed beacon), emitted by every BeaconProxy when it is made.
BEACON_UPGRADED_TOPIC = "0x1cf3b03a6cf19fa2baba4df148e9dcabedea7f8a5c07840e207e5c089be95d3e"


@dataclass(frozen=True)
class Detected:
    kind: str
    address: str
    implementation: str
    admin: str | None = None
    beacon: str | None = None
    beacon_proxies: tuple[str, ...] = ()


def detect(w3: "Web3", address: str) -> Detected:
    """InputError (one line) when there is no code or no proxy at ``address``."""
    address = to_checksum_address(address)
    if not w3.eth.get_code(address):
        raise InputError(f"no contract at {address} on chain {w3.eth.chain_id}; check the address and --network")
    impl = read_address_slot(w3, address, IMPLEMENTATION_SLOT)
    beacon = read_address_slot(w3, address, BEACON_SLOT)
    if impl != ZERO_ADDRESS:
        admin = read_address_slot(w3, address, ADMIN_SLOT)
        if admin != ZERO_ADDRESS:
            v5 = call_view(w3, admin, abi.UPGRADE_INTERFACE_VERSION) is not None
            return Detected("transparent" if v5 else "transparent-oz4", address, impl, admin=admin)
        if call_view(w3, address, abi.UPGRADE_INTERFACE_VERSION) is not None:
            return Detected("uups", address, impl)
        if call_view(w3, impl, abi.PROXIABLE_UUID) is not None:
            return Detected("uups-oz4", address, impl)
        raise InputError(f"{address} is an ERC-1967 proxy without an admin, but its implementation {impl} is not UUPS; upgrader cannot upgrade it")
    if beacon != ZERO_ADDRESS:
        impl = call_view(w3, beacon, abi.IMPLEMENTATION)
        if not impl:
            raise InputError(f"{address} points to beacon {beacon}, which has no implementation(); not an upgradeable beacon")
        return Detected("beacon", address, to_checksum_address(impl), beacon=beacon, beacon_proxies=beacon_proxies(w3, beacon, address))
    raise InputError(f"{address} is not a proxy (no ERC-1967 implementation or beacon slot); pass the proxy's address")


def beacon_proxies(w3: "Web3", beacon: str, first: str) -> tuple[str, ...]:
    """Every BeaconProxy that announced this beacon (its BeaconUpgraded event) and still uses it."""
    topic = "0x" + bytes.fromhex(beacon[2:]).rjust(32, b"\0").hex()
    logs = w3.eth.get_logs({"fromBlock": 0, "toBlock": "latest", "topics": [BEACON_UPGRADED_TOPIC, topic]})
    found = [first]
    for log in logs:
        p = to_checksum_address(log["address"])
        if p not in found and read_address_slot(w3, p, BEACON_SLOT) == beacon:
            found.append(p)
    return tuple(found)
