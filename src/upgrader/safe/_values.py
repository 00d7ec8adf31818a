"""Parsing of loose user values (addresses, integers, hex bytes) into checked Python values.

Every failure is an ``InputError`` whose message names the field, so the CLI can print it
as one line and exit 2.
"""

from __future__ import annotations

from upgrader.keccak import keccak
from eth_utils import is_hex_address, to_checksum_address

from upgrader.errors import InputError

UINT256_MAX = 2**256 - 1
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def parse_address(value: object, field: str) -> str:
    """A 20-byte address as a checksummed string. A mixed-case address must carry a valid
    EIP-55 checksum: a typo in a mixed-case address is caught instead of silently accepted."""
    if isinstance(value, bytes) and len(value) == 20:
        return to_checksum_address(value)
    if not isinstance(value, str) or not is_hex_address(value):
        raise InputError(f"{field}: {value!r} is not a 20-byte hex address (0x + 40 hex digits)")
    body = value[2:]
    checksummed = to_checksum_address(value)
    if body != body.lower() and body != body.upper() and value != checksummed:
        raise InputError(f"{field}: {value} has a wrong EIP-55 checksum (did you mean {checksummed}?)")
    return checksummed


def parse_uint(value: object, field: str, bits: int = 256) -> int:
    """A non-negative integer below 2**bits from an int or a decimal / 0x-hex string."""
    if isinstance(value, bool):
        raise InputError(f"{field}: expected an integer, got {value!r}")
    if isinstance(value, str):
        text = value.strip()
        try:
            number = int(text, 16) if text.lower().startswith("0x") else int(text, 10)
        except ValueError:
            raise InputError(f"{field}: {value!r} is not a decimal or 0x-hex integer") from None
    elif isinstance(value, int):
        number = value
    else:
        raise InputError(f"{field}: expected an integer, got {type(value).__name__}")
    if not 0 <= number < 2**bits:
        raise InputError(f"{field}: {number} is out of range for uint{bits}")
    return number


def parse_hex_bytes(value: object, field: str) -> bytes:
    """Bytes from bytes or a hex string ('0x' prefix optional, '' and '0x' are empty)."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if value is None:
        return b""
    if not isinstance(value, str):
        raise InputError(f"{field}: expected hex bytes, got {type(value).__name__}")
    text = value.strip()
    if text[:2].lower() == "0x":
        text = text[2:]
    if len(text) % 2:
        raise InputError(f"{field}: hex data has an odd number of digits")
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise InputError(f"{field}: {value[:20]!r}... is not hex") from None


def hex32(value: bytes) -> str:
    return "0x" + value.hex()


def keccak256(data: bytes) -> bytes:
    return keccak(data)
