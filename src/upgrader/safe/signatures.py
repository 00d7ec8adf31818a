"""Safe owner signatures: making them, reading them back, and packing them for execTransaction.

Each signature is 65 bytes ``r | s | v`` and ``v`` says what kind it is (Safe ``checkNSignatures``):

    v = 27/28   EIP-712: ecrecover(safeTxHash) -- what a hardware wallet signs
    v = 31/32   eth_sign: ecrecover(keccak("\\x19Ethereum Signed Message:\\n32" || safeTxHash)), v - 4
    v = 1       pre-approved hash: r = owner; valid if the owner sent the tx or called approveHash
    v = 0       contract (EIP-1271): r = owner contract, s = offset of its signature data

The Safe requires the signatures sorted by strictly ascending owner address (no duplicates).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from eth_keys import keys
from eth_keys.exceptions import BadSignature, ValidationError
from eth_utils import to_checksum_address

from upgrader.errors import InputError
from upgrader.keccak import keccak
from upgrader.safe._values import parse_address, parse_hex_bytes

SignatureKind = Literal["eip712", "eth_sign", "approved_hash", "contract"]
_ETH_SIGN_PREFIX = b"\x19Ethereum Signed Message:\n32"


@dataclass(frozen=True)
class SafeSignature:
    signer: str
    kind: SignatureKind
    r: int
    s: int
    v: int
    contract_data: bytes = b""  # the EIP-1271 signature bytes, for kind "contract"

    def to_bytes(self) -> bytes:
        """The 65-byte static part (for a contract signature, ``s`` is set when packing)."""
        return self.r.to_bytes(32, "big") + self.s.to_bytes(32, "big") + bytes([self.v])

    def to_hex(self) -> str:
        return "0x" + self.to_bytes().hex()

    @property
    def verified(self) -> bool:
        """True when the signer was recovered cryptographically (EIP-712, eth_sign); a
        pre-approved hash or a contract signature can only be checked on chain."""
        return self.kind in ("eip712", "eth_sign")


def _private_key(key: Any) -> keys.PrivateKey:
    if isinstance(key, keys.PrivateKey):
        return key
    raw = getattr(key, "key", key)  # an eth_account LocalAccount carries .key
    if isinstance(raw, str):
        raw = parse_hex_bytes(raw, "private key")
    if not isinstance(raw, (bytes, bytearray)) or len(raw) != 32:
        raise InputError("a private key must be 32 bytes (hex or bytes)")
    return keys.PrivateKey(bytes(raw))


def _hash32(safe_tx_hash: bytes | str) -> bytes:
    raw = parse_hex_bytes(safe_tx_hash, "safeTxHash")
    if len(raw) != 32:
        raise InputError(f"safeTxHash must be 32 bytes, got {len(raw)}")
    return raw


def eth_sign_digest(safe_tx_hash: bytes | str) -> bytes:
    """What an eth_sign / personal_sign of the 32-byte safeTxHash actually signs."""
    return keccak(_ETH_SIGN_PREFIX + _hash32(safe_tx_hash))


def sign_eip712(key: Any, safe_tx_hash: bytes | str) -> SafeSignature:
    """Sign the safeTxHash directly (v = 27/28), as signing the EIP-712 typed data does."""
    signed = _private_key(key).sign_msg_hash(_hash32(safe_tx_hash))
    signer = signed.recover_public_key_from_msg_hash(_hash32(safe_tx_hash)).to_checksum_address()
    return SafeSignature(signer, "eip712", signed.r, signed.s, signed.v + 27)


def sign_eth_sign(key: Any, safe_tx_hash: bytes | str) -> SafeSignature:
    """Sign with the eth_sign prefix; the Safe marks this with v + 4 (31/32)."""
    digest = eth_sign_digest(safe_tx_hash)
    signed = _private_key(key).sign_msg_hash(digest)
    signer = signed.recover_public_key_from_msg_hash(digest).to_checksum_address()
    return SafeSignature(signer, "eth_sign", signed.r, signed.s, signed.v + 31)


def approved_hash_signature(owner: str) -> SafeSignature:
    """r = owner left-padded, s = 0, v = 1: the owner executes the tx or approved the hash."""
    address = parse_address(owner, "owner")
    return SafeSignature(address, "approved_hash", int(address, 16), 0, 1)


def from_personal_sign(signature: bytes | str) -> bytes:
    """Turn a wallet's personal_sign/eth_sign signature of the safeTxHash (v 27/28) into the
    Safe's eth_sign form (v 31/32)."""
    raw = parse_hex_bytes(signature, "signature")
    if len(raw) != 65 or raw[64] not in (27, 28):
        raise InputError("expected a 65-byte personal_sign signature with v 27 or 28")
    return raw[:64] + bytes([raw[64] + 4])


def _recover(digest: bytes, r: int, s: int, recovery_id: int) -> str:
    try:
        signature = keys.Signature(vrs=(recovery_id, r, s))
        return signature.recover_public_key_from_msg_hash(digest).to_checksum_address()
    except (BadSignature, ValidationError) as exc:
        raise InputError(f"signature does not recover to an address: {exc}") from None


def _owner_from_r(r: int, kind: str) -> str:
    if r >> 160:
        raise InputError(f"{kind} signature: r is not a left-padded address")
    return to_checksum_address(r.to_bytes(20, "big"))


def recover_signature(safe_tx_hash: bytes | str, signature: bytes | str) -> SafeSignature:
    """Classify one 65-byte signature by its v and find its owner (recovering ECDSA ones)."""
    raw = parse_hex_bytes(signature, "signature")
    if len(raw) != 65:
        raise InputError(f"a Safe signature is 65 bytes (r, s, v), got {len(raw)}")
    r, s, v = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big"), raw[64]
    match v:
        case 27 | 28:
            return SafeSignature(_recover(_hash32(safe_tx_hash), r, s, v - 27), "eip712", r, s, v)
        case 31 | 32:
            return SafeSignature(_recover(eth_sign_digest(safe_tx_hash), r, s, v - 31), "eth_sign", r, s, v)
        case 1:
            return SafeSignature(_owner_from_r(r, "pre-approved hash"), "approved_hash", r, s, v)
        case 0:
            return SafeSignature(_owner_from_r(r, "contract"), "contract", r, s, v)
        case _:
            raise InputError(f"signature v = {v} is not one the Safe accepts (0, 1, 27, 28, 31, 32)")


def split_signatures(safe_tx_hash: bytes | str, signatures: bytes | str) -> list[SafeSignature]:
    """Read back a packed signatures blob (as given to execTransaction or stored by the
    service), recovering every signer. Contract signatures get their dynamic data attached."""
    raw = parse_hex_bytes(signatures, "signatures")
    result: list[SafeSignature] = []
    static_end = len(raw)
    i = 0
    while (i + 1) * 65 <= static_end:
        sig = recover_signature(safe_tx_hash, raw[i * 65 : (i + 1) * 65])
        if sig.kind == "contract":
            offset = sig.s
            if offset < (i + 1) * 65 or offset + 32 > len(raw):
                raise InputError(f"contract signature {i}: data offset {offset} is out of bounds")
            length = int.from_bytes(raw[offset : offset + 32], "big")
            if offset + 32 + length > len(raw):
                raise InputError(f"contract signature {i}: data runs past the end")
            sig = SafeSignature(sig.signer, "contract", sig.r, sig.s, 0, raw[offset + 32 : offset + 32 + length])
            static_end = min(static_end, offset)
        result.append(sig)
        i += 1
    if i * 65 != static_end:
        raise InputError(f"signatures blob: {static_end - i * 65} stray bytes after {i} signatures")
    return result


def sort_signatures(signatures: Iterable[SafeSignature]) -> list[SafeSignature]:
    """Ascending by owner address, as checkNSignatures requires; a repeated owner is an error."""
    ordered = sorted(signatures, key=lambda sig: int(sig.signer, 16))
    for before, after in zip(ordered, ordered[1:]):
        if before.signer == after.signer:
            raise InputError(f"two signatures from the same owner {after.signer}")
    return ordered


def encode_signatures(signatures: Iterable[SafeSignature]) -> bytes:
    """The ``signatures`` argument of execTransaction: sorted static parts, then the dynamic
    data of contract signatures (each ``s`` pointing at its length word)."""
    ordered = sort_signatures(signatures)
    static_size = 65 * len(ordered)
    static, dynamic = b"", b""
    for sig in ordered:
        if sig.kind == "contract":
            offset = static_size + len(dynamic)
            static += sig.r.to_bytes(32, "big") + offset.to_bytes(32, "big") + b"\x00"
            dynamic += len(sig.contract_data).to_bytes(32, "big") + sig.contract_data
        else:
            static += sig.to_bytes()
    return static + dynamic
