"""The few ABI fragments the proxy kinds call or decode: OpenZeppelin's UUPSUpgradeable,
ProxyAdmin and UpgradeableBeacon (4.x and 5.x), and Ownable's ``owner()``.

Signatures as in OpenZeppelin Contracts: ``proxy/utils/UUPSUpgradeable.sol``,
``proxy/transparent/ProxyAdmin.sol`` and ``proxy/beacon/UpgradeableBeacon.sol`` of 4.9 and 5.x.
"""

from __future__ import annotations

from typing import Any


def _fn(name: str, inputs: list[tuple[str, str]], outputs: list[str] = (), mutability: str = "nonpayable") -> dict[str, Any]:
    return {
        "type": "function", "name": name, "stateMutability": mutability,
        "inputs": [{"name": n, "type": t} for n, t in inputs],
        "outputs": [{"name": "", "type": t} for t in outputs],
    }


UPGRADE_TO = _fn("upgradeTo", [("newImplementation", "address")])
UPGRADE_TO_AND_CALL = _fn("upgradeToAndCall", [("newImplementation", "address"), ("data", "bytes")], mutability="payable")
ADMIN_UPGRADE = _fn("upgrade", [("proxy", "address"), ("implementation", "address")])  # ProxyAdmin 4.x
ADMIN_UPGRADE_AND_CALL = _fn("upgradeAndCall", [("proxy", "address"), ("implementation", "address"), ("data", "bytes")], mutability="payable")
UPGRADE_INTERFACE_VERSION = _fn("UPGRADE_INTERFACE_VERSION", [], ["string"], "view")  # 5.x UUPS and ProxyAdmin
PROXIABLE_UUID = _fn("proxiableUUID", [], ["bytes32"], "view")
IMPLEMENTATION = _fn("implementation", [], ["address"], "view")  # UpgradeableBeacon
OWNER = _fn("owner", [], ["address"], "view")



def _event(name: str, inputs: list[tuple[str, str, bool]]) -> dict[str, Any]:
    return {"type": "event", "name": name, "anonymous": False,
            "inputs": [{"name": n, "type": t, "indexed": i} for n, t, i in inputs]}


# The events every OpenZeppelin proxy and its admin emit, whatever the implementation's ABI holds
# (a Transparent proxy's implementation, e.g. a plain Initializable contract, declares none of them):
# ERC-1967's as in OpenZeppelin Contracts interfaces/IERC1967.sol (5.x; proxy/ERC1967/ERC1967Upgrade.sol
# in 4.x), and Ownable's (access/Ownable.sol), which ProxyAdmin and UpgradeableBeacon emit.
PROXY_EVENTS = [
    _event("Upgraded", [("implementation", "address", True)]),
    _event("AdminChanged", [("previousAdmin", "address", False), ("newAdmin", "address", False)]),
    _event("BeaconUpgraded", [("beacon", "address", True)]),
    _event("OwnershipTransferred", [("previousOwner", "address", True), ("newOwner", "address", True)]),
]

UUPS_ABI = [UPGRADE_TO, UPGRADE_TO_AND_CALL, UPGRADE_INTERFACE_VERSION, PROXIABLE_UUID, OWNER]
PROXY_ADMIN_ABI = [ADMIN_UPGRADE, ADMIN_UPGRADE_AND_CALL, UPGRADE_INTERFACE_VERSION, OWNER]
BEACON_ABI = [UPGRADE_TO, IMPLEMENTATION, OWNER]
