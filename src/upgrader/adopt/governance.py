"""Who governs a proxy, read from the chain: a Safe (its version, owners, threshold and
singleton) or some other owner. ``read_safe(w3, address)`` is the whole interface; the
Safe's MultiSendCallOnly is found by ``adopt.multisend``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eth_utils import to_checksum_address

from upgrader.manifest import SafeRecord
from upgrader.proxies.base import call_view

if TYPE_CHECKING:
    from web3 import Web3

_VIEW = {"type": "function", "stateMutability": "view", "inputs": []}
VERSION = {**_VIEW, "name": "VERSION", "outputs": [{"name": "", "type": "string"}]}
OWNERS = {**_VIEW, "name": "getOwners", "outputs": [{"name": "", "type": "address[]"}]}
THRESHOLD = {**_VIEW, "name": "getThreshold", "outputs": [{"name": "", "type": "uint256"}]}


def read_safe(w3: "Web3", address: str | None) -> SafeRecord | None:
    """The Safe at ``address``, or None when it is not a Safe (an EOA, another contract).
    Its ``multisend_call_only`` is left None: the importer finds it on chain."""
    if address is None or not w3.eth.get_code(to_checksum_address(address)):
        return None
    version, owners, threshold = (call_view(w3, address, f) for f in (VERSION, OWNERS, THRESHOLD))
    if not version or not owners or not threshold:
        return None
    singleton = to_checksum_address(bytes(w3.eth.get_storage_at(to_checksum_address(address), 0))[-20:])
    return SafeRecord(
        address=to_checksum_address(address), version=str(version), owners=[to_checksum_address(o) for o in owners],
        threshold=int(threshold), singleton=singleton,
    )


def describe(w3: "Web3", governor: str | None) -> dict[str, Any]:
    if governor is None:
        return {"governor": None, "is_safe": None}
    return {"governor": governor, "is_safe": read_safe(w3, governor) is not None}
