"""The keccak preimages a transaction hashed, read from the fork's re-execution of it
(``debug_traceTransaction`` with a JavaScript tracer that copies the memory each KECCAK256
reads), so a changed mapping entry is named by the key the code used, even a key that appears
in no calldata, event or known address.

    pre = sha3_preimages(w3, tx_hash)      # {keccak: preimage}
    keys = mapping_keys(pre)               # the key word of each ``key . slot`` preimage
    shape = structure_of(slot, pre, names) # "_roles[0x..]" or "slot 7[0x..]" when no layout names it

Solidity places ``m[k]`` of a mapping at slot ``p`` at ``keccak(k . p)`` (k padded to 32 bytes,
strings and bytes unpadded) and the data of a dynamic array or long string at ``keccak(p)``
(docs.soliditylang.org, "Layout of State Variables in Storage"); so every such slot the
transaction touched is the hash of something it hashed."""

from __future__ import annotations

from typing import Any

MAX_PREIMAGE = 256  # bytes: longer hashes (signatures, code) place no storage
MAX_INDEX = 1 << 16  # an array element or string word at most this far past keccak(p)

# geth's JavaScript tracer API (log.op, log.stack.peek, log.memory.slice, toHex), which Anvil
# runs through revm-inspectors; 0x20 is KECCAK256 (stack: offset, size).
_TRACER = ("{h: {}, step: function(log) { if (log.op.toNumber() == 0x20) {"
           " var n = log.stack.peek(1).valueOf(); if (n > 0 && n <= " + str(MAX_PREIMAGE) + ") {"
           " var o = log.stack.peek(0).valueOf(); this.h[toHex(log.memory.slice(o, o + n))] = 1; } } },"
           " fault: function() {}, result: function() { return Object.keys(this.h); }}")


def sha3_preimages(w3: Any, tx_hash: str) -> dict[int, bytes]:
    """keccak(preimage) -> preimage for each input the transaction hashed (short ones); empty
    when the node cannot trace it (the caller then says the keys were not recovered)."""
    from upgrader.keccak import keccak

    raw = w3.provider.make_request("debug_traceTransaction", [tx_hash, {"tracer": _TRACER}])
    found = raw.get("result") if isinstance(raw, dict) else None
    if not isinstance(found, list):
        return {}
    out = {}
    for text in found:
        data = bytes.fromhex(str(text)[2:])
        out[int.from_bytes(keccak(data), "big")] = data
    return out


def mapping_keys(preimages: dict[int, bytes]) -> list[int]:
    """The key word of every 64-byte preimage (``key . slot``): a candidate for any mapping."""
    return sorted({int.from_bytes(p[:32], "big") for p in preimages.values() if len(p) == 64})


def structure_of(slot: int, preimages: dict[int, bytes], named: dict[int, str], depth: int = 0) -> str | None:
    """A name for ``slot`` from the hashes that place it: ``<base>[<key>]`` for a mapping entry,
    ``<base> <data i>`` for an array element or long-string word, where ``<base>`` is a slot's
    name in ``named``, a small slot number, or again such a structure. None when no hash does."""
    if depth > 6:
        return None
    pre = preimages.get(slot)
    if pre is not None and len(pre) >= 32 and len(pre) != 32:
        base = int.from_bytes(pre[-32:], "big")
        key = pre[:-32]
        base_name = _base(base, preimages, named, depth)
        if base_name is not None:
            shown = f"0x{int.from_bytes(key, 'big'):x}" if len(key) == 32 else "0x" + key.hex()
            return f"{base_name}[{shown}]"
    for start, data in preimages.items():
        if len(data) == 32 and 0 <= slot - start < MAX_INDEX:
            base_name = _base(int.from_bytes(data, "big"), preimages, named, depth)
            if base_name is not None:
                return f"{base_name} <data {slot - start}>"
    return None


def _base(slot: int, preimages: dict[int, bytes], named: dict[int, str], depth: int) -> str | None:
    if slot in named:
        return named[slot]
    if slot < 1 << 64:
        return f"slot {slot}"
    return structure_of(slot, preimages, named, depth + 1)
