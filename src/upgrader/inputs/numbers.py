"""Numbers as a signer must see them: ASCII decimal or 0x-hex, nothing Python would also take.

``int()`` reads far more than a signer expects: Arabic-Indic and other Unicode digits
("٧١" is 71), underscores ("1_000"), surrounding Unicode whitespace, and it spends quadratic
time on (or refuses) thousands of digits. Each of those would make a file say one thing to
a person and another to the hash, so only ``[0-9]+`` and ``0x[0-9a-fA-F]+`` are numbers here,
no longer than a uint256 can be written (78 decimal digits; 64 hex digits after leading zeros).
"""

from __future__ import annotations

import re

from upgrader.errors import InputError

UINT256_MAX = 2**256 - 1
_DECIMAL = re.compile(r"-?[0-9]{1,78}\Z")
_HEX = re.compile(r"-?0[xX][0-9a-fA-F]{1,80}\Z")  # leading zeros allowed; range checked after


def parse_int_text(text: str, field: str, signed: bool = False) -> int:
    """An integer from ASCII decimal or 0x-hex text (a leading '-' only when ``signed``)."""
    if not isinstance(text, str):
        raise InputError(f"{field}: expected a number as text, got {type(text).__name__}")
    body = text.strip(" ")
    if _DECIMAL.match(body):
        number = int(body, 10)
    elif _HEX.match(body):
        number = -int(body[3:], 16) if body.startswith("-") else int(body[2:], 16)
    elif body.isascii() and body.lstrip("-").isdigit():
        raise InputError(f"{field}: a number of {len(body.lstrip('-'))} digits, more than a uint256 holds (78)")
    else:
        shown = body if len(body) <= 40 else body[:40] + "…"
        raise InputError(f"{field}: {shown!r} is not a decimal or 0x-hex integer (ASCII digits only)")
    if number < 0 and not signed:
        raise InputError(f"{field}: {number} is negative")
    if abs(number) > UINT256_MAX:
        raise InputError(f"{field}: the number is larger than a uint256")
    return number


def parse_uint(value: object, field: str, bits: int = 256) -> int:
    """A non-negative integer below 2**bits from a JSON integer or ASCII decimal / 0x-hex text."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InputError(f"{field}: expected an integer, got {type(value).__name__}")
    number = value if isinstance(value, int) else parse_int_text(value, field)
    if not 0 <= number < 2**bits:
        shown = str(number) if abs(number) < 10**80 else "a number that large"
        raise InputError(f"{field}: {shown} is out of range for uint{bits}")
    return number
