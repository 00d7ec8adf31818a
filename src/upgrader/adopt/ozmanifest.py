"""OpenZeppelin Upgrades' network manifest (``.openzeppelin/<network>.json``), the format of
upgrades-core ``src/manifest.ts``: ``manifestVersion``, ``proxies`` (address, kind, txHash),
``impls`` keyed by version hash (address, allAddresses, txHash, layout) and ``admin``.
Files are named after the network (``mainnet.json``) or ``unknown-<chainId>.json``; on a
development node (Hardhat's or Anvil, which answer hardhat_metadata/anvil_metadata)
hardhat-upgrades writes ``<tmpdir>/openzeppelin-upgrades/<anvil|hardhat>-<chainId>-<instanceId>.json``
(upgrades-core src/manifest.ts, ``getSuffix`` and the development manifest's file name)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_utils import is_hex_address, to_checksum_address

from upgrader.adopt.sources import Candidate, read_json
from upgrader.errors import InputError

# upgrades-core src/manifest.ts networkNames (the common ones)
NETWORK_CHAIN_IDS = {
    "mainnet": 1, "sepolia": 11155111, "holesky": 17000, "optimism": 10, "arbitrum-one": 42161,
    "polygon": 137, "base": 8453, "bsc": 56, "avalanche": 43114, "gnosis": 100,
}
UNKNOWN = re.compile(r"^unknown-(\d+)\.json$")
DEVELOPMENT = re.compile(r"^(?:anvil|hardhat)-(\d+)-0x[0-9a-fA-F]+\.json$")


@dataclass
class OzManifest:
    path: Path
    proxies: list[dict[str, Any]]
    layouts: dict[str, dict[str, Any]] = field(default_factory=dict)  # implementation address -> OZ layout

    def candidates(self) -> list[Candidate]:
        return [Candidate(to_checksum_address(p["address"]), None, p.get("txHash")) for p in self.proxies]

    def layout_of(self, implementation: str) -> dict[str, Any] | None:
        return self.layouts.get(to_checksum_address(implementation))


def chain_of(path: Path) -> int | None:
    match = UNKNOWN.match(path.name) or DEVELOPMENT.match(path.name)
    return int(match.group(1)) if match else NETWORK_CHAIN_IDS.get(path.stem)


def read(path: Path, chain_id: int) -> OzManifest:
    path = Path(path)
    named = chain_of(path)
    if named is not None and named != chain_id:
        raise InputError(f"{path} is OpenZeppelin's manifest for chain {named}, the node is chain {chain_id}; use the right --network")
    data = read_json(path, "OpenZeppelin manifest")
    if not isinstance(data, dict) or not isinstance(data.get("manifestVersion"), str) or not isinstance(data.get("proxies"), list):
        raise InputError(f"{path} is not an OpenZeppelin Upgrades manifest (manifestVersion, proxies, impls); pass .openzeppelin/<network>.json")
    proxies = []
    for i, p in enumerate(data["proxies"]):
        if not isinstance(p, dict) or not is_hex_address(str(p.get("address"))):
            raise InputError(f"{path}: proxies[{i}] has no address; the manifest is damaged")
        proxies.append(p)
    layouts = {}
    for version, impl in (data.get("impls") or {}).items():
        if not isinstance(impl, dict) or not isinstance(impl.get("layout"), dict):
            raise InputError(f"{path}: impls[{version}] has no layout; the manifest is damaged")
        for address in [impl.get("address"), *(impl.get("allAddresses") or [])]:
            if isinstance(address, str) and is_hex_address(address):
                layouts[to_checksum_address(address)] = impl["layout"]
    return OzManifest(path, proxies, layouts)
