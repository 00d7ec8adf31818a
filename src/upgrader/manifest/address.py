"""Addresses in the deployments store: EIP-55 checksummed on load (``Address``)."""

from __future__ import annotations

import functools
from typing import Annotated

from pydantic import AfterValidator

from upgrader.keccak import keccak


@functools.lru_cache(maxsize=4096)  # a manifest names the same few addresses again on every load
def checksummed(value: str) -> str:
    """An address as EIP-55: lower- or upper-case hex is accepted and checksummed; mixed case
    must already carry the right checksum (a typo is caught, not silently accepted)."""
    body = value[2:] if value[:2] in ("0x", "0X") else None
    if body is None or len(body) != 40 or any(c not in "0123456789abcdefABCDEF" for c in body):
        raise ValueError(f"{value!r} is not an address (0x + 40 hex digits)")
    digest = keccak(body.lower().encode()).hex()
    good = "0x" + "".join(c.upper() if int(d, 16) >= 8 else c for c, d in zip(body.lower(), digest))
    if body not in (body.lower(), body.upper()) and value != good:
        raise ValueError(f"{value} has a wrong EIP-55 checksum (did you mean {good}?)")
    return good


Address = Annotated[str, AfterValidator(checksummed)]
