"""The offline Safe layer: the SafeTx model and its EIP-712 hashes, MultiSend batches,
owner signatures, Safe infrastructure addresses and Transaction Builder batch files.

Pure Python (eth-abi, eth-keys, eth-hash): nothing here touches a node, and nothing imports
web3 or ape. Errors are ``upgrader.errors.InputError`` (bad input) and, for a batch file that
displays something other than what it executes, ``UnsafeError``.
"""

from upgrader.safe.abi_values import decode_call, encode_call, method_from_abi
from upgrader.safe.addresses import (
    KNOWN_CONTRACTS,
    MULTISEND_CALL_ONLY_1_3_0,
    MULTISEND_CALL_ONLY_1_4_1,
    KnownContract,
    address_of,
    is_trusted_multisend_call_only,
    lookup,
    name_of,
    trusted_multisend_call_only,
)
from upgrader.safe.multisend import (
    Batch,
    Call,
    DecodedCall,
    decode_multisend,
    decode_nested,
    encode_multisend,
)
from upgrader.safe.signatures import (
    SafeSignature,
    approved_hash_signature,
    encode_signatures,
    recover_signature,
    sign_eip712,
    sign_eth_sign,
    split_signatures,
)
from upgrader.safe.tx import (
    CALL,
    DELEGATECALL,
    KNOWN_SAFE_VERSIONS,
    SafeDomain,
    SafeTx,
    SafeTxHashes,
    domain_hash,
    encode_typed_data,
    hashes,
    message_hash,
    safe_tx_hash,
)
from upgrader.safe.txbuilder import (
    add_checksum,
    batch_calls,
    build_batch_file,
    calculate_checksum,
    validate_checksum,
)

__all__ = [
    # transaction and hashes
    "SafeTx", "SafeDomain", "SafeTxHashes", "CALL", "DELEGATECALL", "KNOWN_SAFE_VERSIONS",
    "domain_hash", "message_hash", "safe_tx_hash", "encode_typed_data", "hashes",
    # batches
    "Call", "Batch", "DecodedCall", "encode_multisend", "decode_multisend", "decode_nested",
    # signatures
    "SafeSignature", "sign_eip712", "sign_eth_sign", "approved_hash_signature",
    "recover_signature", "split_signatures", "encode_signatures",
    # addresses
    "KnownContract", "KNOWN_CONTRACTS", "MULTISEND_CALL_ONLY_1_3_0", "MULTISEND_CALL_ONLY_1_4_1",
    "address_of", "lookup", "name_of", "trusted_multisend_call_only",
    "is_trusted_multisend_call_only",
    # Transaction Builder files
    "build_batch_file", "add_checksum", "validate_checksum", "calculate_checksum", "batch_calls",
    "encode_call", "decode_call", "method_from_abi",
]
