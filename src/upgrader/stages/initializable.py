"""Where an implementation's Initializable keeps its version: OpenZeppelin 5 in the ERC-7201
namespace ``openzeppelin.storage.Initializable`` (a uint64), 4.x in the plain variable
``_initialized`` (a uint8, usually slot 0). A reinitializer changes it by design, and a
locked implementation holds its maximum."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# OpenZeppelin 5's Initializable (InitializableStorage, erc7201:openzeppelin.storage.Initializable)
INITIALIZABLE_SLOT = "0xf0c57e16840df040f15088dc2f81fe391c3923bec73e23a9662efc9c229c6a00"


@dataclass(frozen=True)
class VersionLocation:
    slot: int
    offset: int  # bytes from the right of the slot
    size: int  # bytes

    def read(self, word: bytes) -> int:
        value = int.from_bytes(word.rjust(32, b"\0"), "big")
        return (value >> (8 * self.offset)) & ((1 << (8 * self.size)) - 1)

    @property
    def locked(self) -> int:
        return (1 << (8 * self.size)) - 1


def version_location(build_info: dict[str, Any], fqn: str) -> VersionLocation:
    source, _, name = fqn.rpartition(":")
    layout = build_info["output"]["contracts"].get(source, {}).get(name, {}).get("storageLayout") or {}
    types = layout.get("types") or {}
    for item in layout.get("storage") or ():
        if item.get("label") == "_initialized":
            size = int((types.get(item["type"]) or {}).get("numberOfBytes", 1))
            return VersionLocation(int(item["slot"]), int(item["offset"]), size)
    return VersionLocation(int(INITIALIZABLE_SLOT, 16), 0, 8)
