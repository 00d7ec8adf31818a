"""One interface for every proxy kind; each kind is a small module beside this one.

A kind knows where a proxy's implementation is read from, who may upgrade it, which calls
(from the governing Safe) upgrade it and how to name those calls for a signer. Everything
above (status, plan, simulate, execute, review) asks the kind and never branches on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from eth_utils import to_checksum_address

from upgrader.proxies import abi

if TYPE_CHECKING:
    from web3 import Web3

    from upgrader.manifest import ProxyRecord



@dataclass(frozen=True)
class UpgradeCall:
    """One call the governing Safe makes to upgrade a proxy."""

    to: str
    data: bytes
    description: str

    def to_plan(self) -> dict[str, Any]:
        return {"to": self.to, "value": "0", "operation": 0, "data": "0x" + self.data.hex(), "description": self.description}


@dataclass(frozen=True)
class Upgrade:
    """What a decoded call does: upgrades ``proxy`` (a record) to ``implementation``."""

    proxy: Any  # ProxyRecord
    implementation: str
    init_data: bytes | None  # the data run through the proxy in the same call, if any


class ProxyKind(Protocol):
    name: ClassVar[str]
    label: ClassVar[str]

    def implementation(self, w3: "Web3", record: "ProxyRecord") -> str: ...

    def governor(self, w3: "Web3", record: "ProxyRecord") -> str | None:
        """The address whose call upgrades the proxy (an owner), None when it cannot be read."""

    def upgrade_calls(self, record: "ProxyRecord", implementation: str, init: bytes, init_label: str) -> list[UpgradeCall]: ...

    def upgrades_in(self, to: str, function: str, args: list[Any], record: "ProxyRecord") -> list[Upgrade]:
        """The upgrades of ``record`` that a decoded call (to, function, positional args) makes."""

    def upgrade_targets(self, record: "ProxyRecord") -> list[str]:
        """Addresses the Safe calls to upgrade this proxy (the proxy, its ProxyAdmin, its beacon)."""

    def structure_drift(self, w3: "Web3", record: "ProxyRecord") -> str | None:
        """What no longer matches the record besides the implementation (ProxyAdmin, beacon), or None."""

    def storage_holders(self, record: "ProxyRecord") -> list[str]:
        """The addresses whose storage holds the module's state (the proxy; all of a beacon's)."""


def call_view(w3: "Web3", address: str, fragment: dict[str, Any]) -> Any | None:
    """A view call's single result, or None when it reverts or the function is absent."""
    contract = w3.eth.contract(address=to_checksum_address(address), abi=[fragment])
    try:
        return getattr(contract.functions, fragment["name"])().call()
    except Exception:  # revert, no such function, empty return: the answer is "not this"
        return None


def encode(fragment: dict[str, Any], args: list[Any]) -> bytes:
    from eth_abi import encode as abi_encode
    from eth_utils import function_abi_to_4byte_selector

    types = [i["type"] for i in fragment["inputs"]]
    return function_abi_to_4byte_selector(fragment) + abi_encode(types, args)


def owner_of(w3: "Web3", address: str) -> str | None:
    owner = call_view(w3, address, abi.OWNER)
    return to_checksum_address(owner) if owner else None
