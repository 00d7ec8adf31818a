"""Parsing of loose user values (addresses, integers, hex bytes) into checked Python values.

Every failure is an ``InputError`` whose message names the field, so the CLI can print it
as one line and exit 2.
"""

from __future__ import annotations

import re
from functools import lru_cache

from upgrader.keccak import keccak

from upgrader.constants import ZERO_ADDRESS
from upgrader.errors import InputError
from upgrader.inputs.numbers import parse_uint as _parse_uint

UINT256_MAX = 2**256 - 1
_HEX_DIGITS = re.compile(r"[0-9a-fA-F]*")
_ADDRESS = re.compile(r"(?:0[xX])?[0-9a-fA-F]{40}")


@lru_cache(maxsize=1 << 16)
def _eip55(lower: str) -> str:
    """EIP-55 mixed-case checksum of 40 lower-case hex digits (eips.ethereum.org/EIPS/eip-55):
    a letter is upper-case where the matching nibble of keccak(lower-case hex) is >= 8."""
    digest = keccak(lower.encode("ascii")).hex()
    return "0x" + "".join(c.upper() if d in "89abcdef" else c for c, d in zip(lower, digest))


def checksum_address(value: str | bytes | bytearray) -> str:
    """The EIP-55 form of a 20-byte address (hex of any case, or 20 bytes); a cached,
    much cheaper equivalent of eth_utils.to_checksum_address for batches of thousands of calls."""
    if isinstance(value, (bytes, bytearray)):
        if len(value) != 20:
            raise InputError(f"address: {len(value)} bytes, not 20")
        return _eip55(bytes(value).hex())
    if not isinstance(value, str) or not _ADDRESS.fullmatch(value):
        raise InputError(f"address: {value!r} is not a 20-byte hex address (0x + 40 hex digits)")
    return _eip55(value[-40:].lower())


def parse_address(value: object, field: str) -> str:
    """A 20-byte address as a checksummed string. A mixed-case address must carry a valid
    EIP-55 checksum: a typo in a mixed-case address is caught instead of silently accepted."""
    if isinstance(value, (bytes, bytearray)) and len(value) == 20:
        return _eip55(bytes(value).hex())
    if not isinstance(value, str) or not _ADDRESS.fullmatch(value):
        shown = repr(value) if not isinstance(value, str) or len(value) <= 60 else repr(value[:60] + "…")
        raise InputError(f"{field}: {shown} is not a 20-byte hex address (0x + 40 hex digits)")
    body = value[-40:]
    checksummed = _eip55(body.lower())
    if body != body.lower() and body != body.upper() and body != checksummed[2:]:
        raise InputError(f"{field}: {value} has a wrong EIP-55 checksum (did you mean {checksummed}?)")
    return checksummed


def parse_uint(value: object, field: str, bits: int = 256) -> int:
    """A non-negative integer below 2**bits from an int or ASCII decimal / 0x-hex text (no
    Unicode digits, no underscores: see ``upgrader.inputs.numbers``)."""
    return _parse_uint(value, field, bits)


def parse_hex_bytes(value: object, field: str) -> bytes:
    """Bytes from bytes or a hex string ('0x' prefix optional, '' and '0x' are empty)."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if value is None:
        return b""
    if not isinstance(value, str):
        raise InputError(f"{field}: expected hex bytes, got {type(value).__name__}")
    text = value.strip(" ")
    if text[:2].lower() == "0x":
        text = text[2:]
    if len(text) % 2:
        raise InputError(f"{field}: hex data has an odd number of digits")
    if not _HEX_DIGITS.fullmatch(text):  # bytes.fromhex would also skip whitespace inside
        raise InputError(f"{field}: {value[:20]!r}... is not hex") from None
    return bytes.fromhex(text)


def hex32(value: bytes) -> str:
    return "0x" + value.hex()
