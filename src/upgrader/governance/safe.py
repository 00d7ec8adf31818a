"""``safe``: the Safe owns the proxies (or their ProxyAdmin/beacon) and upgrades them in one
transaction; the plan's calls are what the Safe signs, as they always were."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from upgrader.governance.base import Progress

if TYPE_CHECKING:
    from web3 import Web3

    from upgrader.manifest import Manifest


class SafeChain:
    name: ClassVar[str] = "safe"
    label: ClassVar[str] = "Safe"

    def authority(self, manifest: "Manifest") -> str:
        return manifest.safe.address

    def wrap(self, w3: "Web3", manifest: "Manifest", body: dict[str, Any]) -> dict[str, Any]:
        return body

    def progress(self, w3: "Web3", manifest: "Manifest", plan: dict[str, Any], from_block: int = 0) -> Progress | None:
        return None

    def describe(self, manifest: "Manifest") -> list[str]:
        return [f"Safe {manifest.safe.address} ({manifest.safe.threshold} of {len(manifest.safe.owners)}) upgrades directly"]
