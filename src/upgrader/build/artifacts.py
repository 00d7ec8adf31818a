"""Contracts out of a build-info: ABI, init code, runtime code and its comparable hash.

The comparable ("normalized") runtime code has the CBOR metadata trailer removed and every
immutable reference zeroed, so that code read from chain (where immutables such as UUPS's
``__self`` are filled in) and code from the build hash the same when they are the same
program.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from upgrader.keccak import keccak

from upgrader.errors import InputError


@dataclass(frozen=True)
class Artifact:
    source: str
    name: str
    abi: list[dict[str, Any]]
    initcode: bytes
    runtime: bytes
    immutable_ranges: tuple[tuple[int, int], ...]
    storage_layout: dict[str, Any] | None

    @property
    def fqn(self) -> str:
        return f"{self.source}:{self.name}"

    def normalize(self, runtime: bytes) -> bytes:
        return normalize_code(runtime, self.immutable_ranges)

    @property
    def code_hash(self) -> str:
        return code_hash(self.runtime, self.immutable_ranges)


def strip_metadata(code: bytes) -> bytes:
    """Drop the CBOR metadata trailer (its length is in the last two bytes)."""
    if len(code) < 2:
        return code
    length = int.from_bytes(code[-2:], "big")
    if length + 2 > len(code) or code[-(length + 2)] & 0xE0 != 0xA0:  # CBOR map header
        return code
    return code[: -(length + 2)]


def normalize_code(code: bytes, immutable_ranges: tuple[tuple[int, int], ...] = ()) -> bytes:
    buf = bytearray(code)
    for start, length in immutable_ranges:
        if start + length <= len(buf):
            buf[start : start + length] = bytes(length)
    return strip_metadata(bytes(buf))


def code_hash(code: bytes, immutable_ranges: tuple[tuple[int, int], ...] = ()) -> str:
    return "0x" + keccak(normalize_code(code, immutable_ranges)).hex()


def all_artifacts(build_info: dict[str, Any]) -> list[Artifact]:
    out = []
    for source, contracts in build_info["output"].get("contracts", {}).items():
        for name, data in contracts.items():
            out.append(_artifact(source, name, data))
    return out


def find(build_info: dict[str, Any], name: str) -> Artifact:
    """By ``Name`` or ``source:Name``; InputError when unknown or ambiguous."""
    source, _, short = name.rpartition(":")
    matches = [
        _artifact(src, n, data)
        for src, contracts in build_info["output"].get("contracts", {}).items()
        for n, data in contracts.items()
        if n == short and (not source or src == source)
    ]
    if not matches:
        raise InputError(f"unknown contract {name!r}; check the name (or use <source>:<Name>)")
    if len(matches) > 1:
        raise InputError(f"contract name {name!r} is ambiguous: use one of {', '.join(m.fqn for m in matches)}")
    return matches[0]


def _artifact(source: str, name: str, data: dict[str, Any]) -> Artifact:
    evm = data.get("evm", {})
    deployed = evm.get("deployedBytecode", {})
    ranges = tuple(
        (ref["start"], ref["length"])
        for refs in (deployed.get("immutableReferences") or {}).values()
        for ref in refs
    )
    return Artifact(
        source=source,
        name=name,
        abi=data.get("abi", []),
        initcode=bytes.fromhex(evm.get("bytecode", {}).get("object", "")),
        runtime=bytes.fromhex(deployed.get("object", "")),
        immutable_ranges=ranges,
        storage_layout=data.get("storageLayout"),
    )
