"""Keccak-256, two ways with one result.

- ``keccak``: pycryptodome's C code (installed with ``eth-hash[pycryptodome]``), for bulk work
  (storage walks, code hashes, Safe hashes). It is imported on first use: loading it pulls in
  ctypes and costs ~10 ms, and ``eth_hash.auto`` would add ~15 ms more to find its backend.
- ``keccak_pure``: Keccak-f[1600] written out in Python from the Keccak reference (rate 1088
  bits, padding 0x01 ... 0x80), for the few hashes of start-up-critical, pure-Python paths
  such as ERC-7201 roots in ``upgrader check``. ``tests/test_keccak.py`` holds the two equal.
"""

from __future__ import annotations

from typing import Any

_c_keccak: Any = None


def keccak(data: bytes | bytearray | memoryview) -> bytes:
    global _c_keccak
    if _c_keccak is None:
        from Crypto.Hash import keccak as module

        _c_keccak = module
    return _c_keccak.new(digest_bits=256, data=data).digest()  # type: ignore[no-any-return]


_MASK = (1 << 64) - 1
_RATE = 136  # bytes absorbed per permutation for a 256-bit output (1600 - 2 * 256 bits)


def _round_constants() -> tuple[int, ...]:
    lfsr = 1  # x^8 + x^6 + x^5 + x^4 + 1, one output bit per step
    constants = []
    for _ in range(24):
        value = 0
        for j in range(7):
            if lfsr & 1:
                value |= 1 << ((1 << j) - 1)
            lfsr = ((lfsr << 1) ^ 0x171) if lfsr & 0x80 else (lfsr << 1)
        constants.append(value)
    return tuple(constants)


def _rho_pi() -> tuple[tuple[int, ...], tuple[int, ...]]:
    rotation, target = [0] * 25, [0] * 25
    x, y = 1, 0
    for t in range(24):
        rotation[x + 5 * y] = (t + 1) * (t + 2) // 2 % 64
        x, y = y, (2 * x + 3 * y) % 5
    for x in range(5):
        for y in range(5):
            target[x + 5 * y] = y + 5 * ((2 * x + 3 * y) % 5)
    return tuple(rotation), tuple(target)


_RC = _round_constants()
_ROT, _PI = _rho_pi()
_STEPS = tuple(zip(range(25), _ROT, _PI))


def _permute(a: list[int]) -> None:
    for rc in _RC:
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        d = [c[(x - 1) % 5] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & _MASK) for x in range(5)]
        b = [0] * 25
        for i, r, p in _STEPS:
            v = a[i] ^ d[i % 5]
            b[p] = (((v << r) | (v >> (64 - r))) & _MASK) if r else v
        for y in range(0, 25, 5):
            b0, b1, b2, b3, b4 = b[y], b[y + 1], b[y + 2], b[y + 3], b[y + 4]
            a[y] = b0 ^ (~b1 & b2)
            a[y + 1] = b1 ^ (~b2 & b3)
            a[y + 2] = b2 ^ (~b3 & b4)
            a[y + 3] = b3 ^ (~b4 & b0)
            a[y + 4] = b4 ^ (~b0 & b1)
        a[0] ^= rc


def keccak_pure(data: bytes | bytearray | memoryview) -> bytes:
    """Keccak-256 in pure Python (~0.2 ms per short input)."""
    padded = bytearray(data)
    padded.append(0x01)
    padded.extend(b"\0" * (-len(padded) % _RATE))
    padded[-1] |= 0x80
    state = [0] * 25
    for start in range(0, len(padded), _RATE):
        block = padded[start:start + _RATE]
        for i in range(_RATE // 8):
            state[i] ^= int.from_bytes(block[8 * i:8 * i + 8], "little")
        _permute(state)
    return b"".join(lane.to_bytes(8, "little") for lane in state[:4])
