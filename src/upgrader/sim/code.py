"""Does the code at an implementation address equal what the build produces there, immutables
included? The build's init code with the recorded constructor arguments is deployed again, on
the fork, through the same CREATE2 deployer and salt, so at the same address (immutables that
hold ``address(this)``, as UUPSUpgradeable's ``__self``, come out the same): a
``debug_traceCall`` of that deployment with the address emptied by state overrides (code,
nonce and storage, so no collision) returns the runtime code the CREATE2 frame would leave,
and nothing changes on the fork. The CBOR metadata trailer must be the build's too (provenance,
issue 24): the CREATE2 address already commits to the init code, metadata included, so code
there that differs only in its metadata hash was compiled from other sources or settings and
put there another way; the detail names both hashes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils import to_checksum_address

from upgrader.build.artifacts import strip_metadata
from upgrader.chain import create2
from upgrader.sim.runner import GAS_LIMIT

ANYONE = to_checksum_address("0x" + "c0" * 20)


@dataclass(frozen=True)
class CodeMatch:
    ok: bool
    detail: str


def reproduce(w3: Any, initcode: bytes, salt: bytes, address: str) -> bytes | None:
    """The runtime code the CREATE2 deployment of ``initcode`` with ``salt`` leaves at
    ``address``; None when it reverts or lands elsewhere."""
    address = to_checksum_address(address)
    call = {"from": ANYONE, "to": create2.DEPLOYER, "data": "0x" + (salt + initcode).hex(), "gas": hex(GAS_LIMIT)}
    emptied = {address: {"code": "0x", "nonce": "0x0", "state": {}}}
    raw = w3.provider.make_request("debug_traceCall", [call, "latest", {"tracer": "callTracer", "stateOverrides": emptied}])
    frame = next((c for c in (raw.get("result") or {}).get("calls") or []
                  if c.get("type") == "CREATE2" and str(c.get("to", "")).lower() == address.lower() and not c.get("error")), None)
    return bytes.fromhex(frame["output"][2:]) if frame and frame.get("output") else None


def appends_cbor(build_info: dict[str, Any] | None) -> bool:
    metadata = (((build_info or {}).get("input") or {}).get("settings") or {}).get("metadata") or {}
    return bool(metadata.get("appendCBOR", True))


IPFS_KEY = b"\x64ipfs\x58\x22"  # CBOR: text "ipfs", then 34 bytes (solc's default bytecodeHash)


def metadata_hash(code: bytes) -> str:
    """The metadata hash solc embedded in ``code``'s CBOR trailer (``ipfs`` multihash, else
    the whole trailer), hex."""
    trailer = code[len(strip_metadata(code)):]
    at = trailer.find(IPFS_KEY)
    if at >= 0:
        return "0x" + trailer[at + len(IPFS_KEY) : at + len(IPFS_KEY) + 34].hex()
    return "0x" + trailer.hex() if trailer else "none"


def compare(on_chain: bytes, built: bytes | None, cbor: bool, immutables: tuple[tuple[int, int], ...] = ()) -> CodeMatch:
    if built is None:
        return CodeMatch(False, "the build's init code with the recorded constructor arguments does not deploy there")
    if on_chain == built:
        return CodeMatch(True, "equals the build's deployment with the recorded constructor arguments, immutables included")
    if cbor and strip_metadata(on_chain) == strip_metadata(built):  # provenance (issue 24): the metadata hash too
        return CodeMatch(False, f"differs from the build's deployment only in its CBOR metadata: metadata hash "
                                f"{metadata_hash(on_chain)} on chain, {metadata_hash(built)} built (compiled from other "
                                "sources or settings than this build's)")
    if len(on_chain) != len(built):
        return CodeMatch(False, f"differs from the build's deployment: {len(on_chain)} bytes on chain, {len(built)} built")
    first = next(i for i, (a, b) in enumerate(zip(on_chain, built)) if a != b)
    for start, length in immutables:
        if start <= first < start + length:
            return CodeMatch(False, f"differs from the build's deployment with the recorded constructor arguments in an "
                                    f"immutable (bytes {start}..{start + length}): 0x{on_chain[start:start + length].hex()} on "
                                    f"chain, 0x{built[start:start + length].hex()} built")
    return CodeMatch(False, f"differs from the build's deployment with the recorded constructor arguments from byte {first}")


def check(w3: Any, address: str, initcode: bytes, salt: bytes, build_info: dict[str, Any] | None,
          immutables: tuple[tuple[int, int], ...] = ()) -> CodeMatch:
    on_chain = bytes(w3.eth.get_code(to_checksum_address(address)))
    if not on_chain:
        return CodeMatch(False, f"no code at {address}")
    return compare(on_chain, reproduce(w3, initcode, salt, address), appends_cbor(build_info), immutables)
