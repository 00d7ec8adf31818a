"""Proxy kinds behind one interface (``base.ProxyKind``): UUPS on OpenZeppelin 5 and 4.x,
Transparent with its ProxyAdmin (5 and 4.x), and Beacon. ``kind_of(record)`` is the only
place that picks one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from upgrader.proxies.base import ProxyKind, Upgrade, UpgradeCall
from upgrader.proxies.beacon import Beacon
from upgrader.proxies.transparent import Transparent, TransparentOz4
from upgrader.proxies.uups import Uups, UupsOz4

if TYPE_CHECKING:
    from upgrader.manifest import ProxyRecord

KINDS: dict[str, ProxyKind] = {k.name: k for k in (Uups(), UupsOz4(), Transparent(), TransparentOz4(), Beacon())}

__all__ = ["KINDS", "ProxyKind", "Upgrade", "UpgradeCall", "kind_of", "storage_holders"]


def kind_of(record: "ProxyRecord") -> ProxyKind:
    return KINDS[record.kind]


def storage_holders(record: "ProxyRecord") -> list[str]:
    """The addresses whose storage holds the module's state: the proxy, or every proxy of a beacon."""
    return kind_of(record).storage_holders(record)
