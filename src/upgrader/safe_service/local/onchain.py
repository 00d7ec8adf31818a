"""What the local service reads from the chain, as the Transaction Service reads it:

- a Safe's info (safe-global/safe-eth-py ``safe_eth/safe/safe.py`` @ e9d83ccf
  ``Safe.retrieve_all_info``: singleton from storage slot 0, fallback handler, transaction guard
  and module guard from their storage slots, modules, nonce, owners, threshold, ``VERSION()``);
  the service then names the version of a singleton it knows, ``+L2`` for an L2 one
  (safe-global/safe-transaction-service ``history/services/safe_service.py`` @ 3e0199c4
  ``get_safe_info_from_blockchain``; ``management/commands/setup_service.py`` l. 266);
- the executed transactions of a Safe, as its indexer records them: every ``execTransaction``
  consumes one nonce and emits exactly one ``ExecutionSuccess`` or ``ExecutionFailure(txHash)``,
  so the n-th of those events (in chain order) is the transaction executed at nonce n;
- whether a signature is valid (safe-eth-py ``safe_eth/safe/safe_signature.py`` @ e9d83ccf):
  ECDSA always (the signer is whoever it recovers to), an approved hash when the Safe's
  ``approvedHashes(owner, hash) == 1`` (``SafeSignatureApprovedHash.is_valid``), a contract
  signature when the owner contract's ``isValidSignature(bytes32,bytes)`` (or the legacy
  ``isValidSignature(bytes,bytes)`` over the hash's preimage) returns an EIP-1271 magic value
  (``SafeSignatureContract.is_valid``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import to_checksum_address

from upgrader.keccak import keccak
from upgrader.safe.signatures import SafeSignature

__all__ = ["Executed", "SafeState", "executed_by_nonce", "read_safe", "signature_is_valid"]

SENTINEL = "0x0000000000000000000000000000000000000001"
# safe-eth-py Safe: keccak256("fallback_manager.handler.address"), ("guard_manager.guard.address"),
# ("module_manager.module_guard.address"), computed here from the same labels
FALLBACK_HANDLER_SLOT = keccak(b"fallback_manager.handler.address")
GUARD_SLOT = keccak(b"guard_manager.guard.address")
MODULE_GUARD_SLOT = keccak(b"module_manager.module_guard.address")
EIP1271_MAGIC = (bytes.fromhex("20c13b0b"), bytes.fromhex("1626ba7e"))  # legacy (bytes,bytes), updated (bytes32,bytes)


@dataclass(frozen=True)
class SafeState:
    address: str
    nonce: int
    threshold: int
    owners: list[str]
    version: str | None  # VERSION(), or the known singleton's version (``+L2``), None when unreadable
    master_copy: str
    fallback_handler: str
    guard: str
    module_guard: str
    modules: list[str]
    chain_id: int

    @property
    def hash_version(self) -> str:
        """The version the SafeTx hash depends on (without the ``+L2`` build tag)."""
        return (self.version or "1.4.1").split("+", 1)[0]


def _slot_address(w3: Any, address: str, slot: bytes | int) -> str:
    raw = w3.eth.get_storage_at(address, int.from_bytes(slot, "big") if isinstance(slot, bytes) else slot)
    return to_checksum_address(bytes(raw)[-20:])


def _known_version(master_copy: str) -> str | None:
    from upgrader.safe.addresses import lookup

    known = lookup(master_copy)
    if known is None or known.kind not in ("Safe", "SafeL2"):
        return None
    return known.version + ("+L2" if known.kind == "SafeL2" else "")


def read_safe(w3: Any, address: str) -> SafeState:
    """The Safe at ``address``; LookupError when no Safe is there (the service answers 404)."""
    from upgrader.sim.safe_exec import safe_contract

    address = to_checksum_address(address)
    if not w3.eth.get_code(address):
        raise LookupError(f"Safe={address} does not exist or it's still not indexed")
    c = safe_contract(w3, address).functions
    master_copy = _slot_address(w3, address, 0)
    try:
        owners, threshold, nonce = list(c.getOwners().call()), int(c.getThreshold().call()), int(c.nonce().call())
    except Exception:  # a contract that is not a Safe
        raise LookupError(f"Safe={address} does not exist or it's still not indexed") from None
    try:
        version: str | None = _known_version(master_copy) or str(c.VERSION().call())
    except Exception:
        version = None
    try:
        modules = list(c.getModulesPaginated(SENTINEL, 20).call()[0])
    except Exception:
        modules = []
    return SafeState(address, nonce, threshold, owners, version, master_copy,
                     _slot_address(w3, address, FALLBACK_HANDLER_SLOT), _slot_address(w3, address, GUARD_SLOT),
                     _slot_address(w3, address, MODULE_GUARD_SLOT), modules, int(w3.eth.chain_id))


@dataclass(frozen=True)
class Executed:
    nonce: int
    safe_tx_hash: str
    transaction_hash: str
    block_number: int
    successful: bool


def executed_by_nonce(w3: Any, safe: str) -> dict[int, Executed]:
    """The Safe's executed transactions by nonce, from its execution events in chain order."""
    from upgrader.sim.safe_exec import safe_contract

    events = safe_contract(w3, safe).events
    logs = [(log, True) for log in events.ExecutionSuccess().get_logs(from_block=0)]
    logs += [(log, False) for log in events.ExecutionFailure().get_logs(from_block=0)]
    logs.sort(key=lambda item: (int(item[0]["blockNumber"]), int(item[0]["logIndex"])))
    return {n: Executed(n, "0x" + bytes(log["args"]["txHash"]).hex(), "0x" + bytes(log["transactionHash"]).hex(),
                        int(log["blockNumber"]), ok) for n, (log, ok) in enumerate(logs)}


def _call(w3: Any, to: str, data: bytes) -> bytes | None:
    try:
        return bytes(w3.eth.call({"to": to, "data": "0x" + data.hex()}))
    except Exception:  # a revert (checkSignatures failed), no code, no such function
        return None


def _eip1271(w3: Any, owner: str, safe_hash: bytes, preimage: bytes, data: bytes) -> bool:
    calls = (
        (keccak(b"isValidSignature(bytes32,bytes)")[:4], ["bytes32", "bytes"], [safe_hash, data]),
        (keccak(b"isValidSignature(bytes,bytes)")[:4], ["bytes", "bytes"], [preimage, data]),
    )
    for selector, types, args in calls:
        out = _call(w3, owner, selector + abi_encode(types, args))
        if out and len(out) >= 32:
            try:
                (value,) = abi_decode(["bytes4"], out[:32])
            except Exception:
                continue
            if bytes(value) in EIP1271_MAGIC:
                return True
    return False


def signature_is_valid(w3: Any, sig: SafeSignature, safe_hash: bytes, preimage: bytes, safe: str) -> bool:
    from upgrader.sim.safe_exec import safe_contract

    if sig.kind in ("eip712", "eth_sign"):
        return True
    if sig.kind == "approved_hash":
        return int(safe_contract(w3, safe).functions.approvedHashes(sig.signer, safe_hash).call()) == 1
    return _eip1271(w3, sig.signer, safe_hash, preimage, sig.contract_data)
