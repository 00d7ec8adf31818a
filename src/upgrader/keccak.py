"""Keccak-256, straight from pycryptodome (installed with ``eth-hash[pycryptodome]``).

``eth_hash.auto`` finds its backend through ``importlib.metadata`` on first use, which costs
about 15 ms of every command's start-up; this is the same function without the search."""

from __future__ import annotations

from Crypto.Hash import keccak as _keccak


def keccak(data: bytes | bytearray | memoryview) -> bytes:
    return _keccak.new(digest_bits=256, data=data).digest()
