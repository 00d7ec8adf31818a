"""The EIP-712 message an owner signs to add or remove a delegate.

Safe's Transaction Service (POST/DELETE ``/api/v2/delegates/``, and safe-eth-py
``transaction_service_messages.get_delegate_message``) defines it as

    domain  EIP712Domain(string name,string version,uint256 chainId)
            name "Safe Transaction Service", version "1.0", chainId of the network
    message Delegate(address delegateAddress,uint256 totp), totp = unix time // 3600

and accepts the current and the previous ``totp`` (a signature stays valid for one to two
hours). The Queue Service's docs we could read do not restate the message; we send the same
one there (unconfirmed: see ``dialects``).
"""

from __future__ import annotations

import time

from eth_abi import encode as abi_encode

from upgrader.keccak import keccak
from upgrader.safe._values import parse_address

__all__ = ["DELEGATE_TYPE", "DOMAIN_TYPE", "delegate_message_hash", "totp", "valid_totps"]

DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId)"
DELEGATE_TYPE = "Delegate(address delegateAddress,uint256 totp)"
DOMAIN_NAME, DOMAIN_VERSION = "Safe Transaction Service", "1.0"
TOTP_PERIOD_S = 3600


def totp(now: float | None = None) -> int:
    return int(time.time() if now is None else now) // TOTP_PERIOD_S


def valid_totps(now: float | None = None) -> tuple[int, int]:
    current = totp(now)
    return current, current - 1


def domain_separator(chain_id: int) -> bytes:
    return keccak(abi_encode(["bytes32", "bytes32", "bytes32", "uint256"], [
        keccak(DOMAIN_TYPE.encode()), keccak(DOMAIN_NAME.encode()), keccak(DOMAIN_VERSION.encode()), int(chain_id)]))


def delegate_message_hash(delegate: str, chain_id: int, at_totp: int | None = None) -> bytes:
    """The 32-byte digest the delegator signs (raw ECDSA over it, v 27/28)."""
    struct = keccak(abi_encode(["bytes32", "address", "uint256"], [
        keccak(DELEGATE_TYPE.encode()), parse_address(delegate, "delegate"), totp() if at_totp is None else at_totp]))
    return keccak(b"\x19\x01" + domain_separator(chain_id) + struct)
