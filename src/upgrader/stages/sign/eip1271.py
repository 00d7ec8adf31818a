"""An owner Safe's EIP-1271 contract signature of the outer safeTxHash.

The outer Safe checks a contract signature (v = 0, r = owner contract, s = offset of its data)
by calling the owner's ``isValidSignature``; an owner Safe answers through its
CompatibilityFallbackHandler, which checks its own owners' signatures over the SafeMessage
hash ``keccak256(0x19 0x01 || ownerSafe.domainSeparator || keccak256(abi.encode(
SAFE_MSG_TYPEHASH, keccak256(message))))`` -- the preimage safe-global/safe-eth-py builds in
``safe_eth/safe/safe.py`` @ e9d83ccf ``Safe.get_message_preimage`` (SAFE_MESSAGE_TYPEHASH =
keccak256("SafeMessage(bytes message)")). Which ``message``: an outer Safe before 1.5.0 calls the
legacy ``isValidSignature(bytes data, bytes)`` with the transaction's 66-byte preimage
(``encodeTransactionData``), so the message is that preimage; from 1.5.0 it passes the 32-byte
hash. The Transaction Service accepts either: it tries ``isValidSignature(bytes32,bytes)`` with the
hash, then ``isValidSignature(bytes,bytes)`` with the preimage (safe-eth-py ``safe_signature.py``
``SafeSignatureContract.is_valid``).

No transaction and no gas: when the owner Safe's own threshold is met by its signers'
signatures of that SafeMessage, the contract signature is complete.
"""

from __future__ import annotations

from typing import Any

from eth_abi import encode as abi_encode

from upgrader.keccak import keccak
from upgrader.safe.signatures import SafeSignature, encode_signatures
from upgrader.safe.tx import SafeDomain, parse_version

__all__ = ["SAFE_MSG_TYPEHASH", "can_sign_alone", "contract_signature", "message_typed_data", "safe_message_hash",
           "signed_message", "standalone_hex", "validates"]

SAFE_MSG_TYPEHASH = keccak(b"SafeMessage(bytes message)")
FALLBACK_HANDLER_SLOT = keccak(b"fallback_manager.handler.address")
IS_VALID_SIGNATURE = keccak(b"isValidSignature(bytes32,bytes)")[:4]
IS_VALID_SIGNATURE_LEGACY = keccak(b"isValidSignature(bytes,bytes)")[:4]
MAGIC, MAGIC_LEGACY = bytes.fromhex("1626ba7e"), bytes.fromhex("20c13b0b")


def signed_message(outer: SafeDomain, safe_tx_hash: bytes, preimage: bytes) -> bytes:
    """The message the outer Safe will ask the owner Safe about (see above)."""
    return preimage if parse_version(outer.version) < (1, 5, 0) else safe_tx_hash


def safe_message_hash(domain: SafeDomain, message: bytes) -> bytes:
    """What the owner Safe's signers sign for ``message`` (here the 32-byte outer safeTxHash)."""
    inner = keccak(abi_encode(["bytes32", "bytes32"], [SAFE_MSG_TYPEHASH, keccak(message)]))
    return keccak(b"\x19\x01" + domain.separator + inner)


def message_typed_data(domain: SafeDomain, message: bytes) -> dict[str, Any]:
    """The EIP-712 JSON of that SafeMessage, for a wallet that shows what it signs."""
    fields, values = domain.typed_data()
    return {"types": {"EIP712Domain": fields, "SafeMessage": [{"name": "message", "type": "bytes"}]},
            "primaryType": "SafeMessage", "domain": values, "message": {"message": "0x" + message.hex()}}


def contract_signature(owner_safe: str, inner: list[SafeSignature]) -> SafeSignature:
    """v = 0, r = the owner Safe; its data is the owner Safe's own packed signatures."""
    return SafeSignature(owner_safe, "contract", int(owner_safe, 16), 0, 0, encode_signatures(inner))


def standalone_hex(sig: SafeSignature) -> str:
    """One contract signature on its own (data at offset 65), as the service stores it."""
    return "0x" + encode_signatures([sig]).hex()


def can_sign_alone(w3: Any, owner_safe: str) -> bool:
    """The owner Safe answers EIP-1271 (a fallback handler is set) and one signer meets its threshold."""
    from upgrader.sim.safe_exec import safe_contract

    handler = bytes(w3.eth.get_storage_at(owner_safe, int.from_bytes(FALLBACK_HANDLER_SLOT, "big")))[-20:]
    return any(handler) and int(safe_contract(w3, owner_safe).functions.getThreshold().call()) == 1


def validates(w3: Any, sig: SafeSignature, message: bytes) -> bool:
    """The owner contract's own answer to the call the outer Safe will make, read before
    anything is posted."""
    if len(message) == 32:
        data, magic = IS_VALID_SIGNATURE + abi_encode(["bytes32", "bytes"], [message, sig.contract_data]), MAGIC
    else:
        data, magic = IS_VALID_SIGNATURE_LEGACY + abi_encode(["bytes", "bytes"], [message, sig.contract_data]), MAGIC_LEGACY
    try:
        out = bytes(w3.eth.call({"to": sig.signer, "data": "0x" + data.hex()}))
    except Exception:  # checkSignatures reverted
        return False
    return out[:4] == magic
