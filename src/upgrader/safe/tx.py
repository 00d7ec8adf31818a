"""The Safe transaction and its EIP-712 hash, written out by hand.

    safeTxHash = keccak256(0x19 0x01 || domainSeparator || keccak256(encodeData(SafeTx)))

Two things changed across Safe versions and both change every hash:
- the domain gained ``chainId`` in 1.3.0 (1.2.0 and earlier: ``EIP712Domain(address verifyingContract)``);
- ``baseGas`` was called ``dataGas`` before 1.0.0 (the field name is part of the type hash).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from eth_abi import encode as abi_encode

from upgrader.errors import InputError
from upgrader.keccak import keccak
from upgrader.safe._values import (
    ZERO_ADDRESS,
    parse_address,
    parse_hex_bytes,
    parse_uint,
)

CALL: Literal[0] = 0
DELEGATECALL: Literal[1] = 1
Operation = Literal[0, 1]

# Safe versions whose hashing rules we know (the ones released by Safe).
KNOWN_SAFE_VERSIONS: tuple[str, ...] = (
    "0.1.0", "1.0.0", "1.1.0", "1.1.1", "1.2.0", "1.3.0", "1.4.1", "1.5.0",
)

DOMAIN_TYPE_WITH_CHAIN_ID = "EIP712Domain(uint256 chainId,address verifyingContract)"
DOMAIN_TYPE_WITHOUT_CHAIN_ID = "EIP712Domain(address verifyingContract)"
SAFE_TX_TYPE = (
    "SafeTx(address to,uint256 value,bytes data,uint8 operation,uint256 safeTxGas,"
    "uint256 baseGas,uint256 gasPrice,address gasToken,address refundReceiver,uint256 nonce)"
)
SAFE_TX_TYPE_DATA_GAS = SAFE_TX_TYPE.replace("baseGas", "dataGas")


def parse_version(version: str) -> tuple[int, int, int]:
    """'1.3.0', '1.3.0+L2' or 'v1.4.1' -> (1, 3, 0); anything unknown is an InputError."""
    text = version.strip().lower().removeprefix("v").split("+", 1)[0]
    if text not in KNOWN_SAFE_VERSIONS:
        known = ", ".join(KNOWN_SAFE_VERSIONS)
        raise InputError(f"unknown Safe version {version!r}; known versions: {known}")
    major, minor, patch = (int(part) for part in text.split("."))
    return major, minor, patch


@dataclass(frozen=True)
class SafeDomain:
    """The EIP-712 domain of one Safe: which chain, which Safe, which contract version."""

    chain_id: int
    safe: str
    version: str = "1.4.1"

    def __post_init__(self) -> None:
        object.__setattr__(self, "chain_id", parse_uint(self.chain_id, "chain id"))
        object.__setattr__(self, "safe", parse_address(self.safe, "safe"))
        parse_version(self.version)

    @property
    def has_chain_id(self) -> bool:
        return parse_version(self.version) >= (1, 3, 0)

    @property
    def uses_data_gas(self) -> bool:
        return parse_version(self.version) < (1, 0, 0)

    @property
    def type_string(self) -> str:
        return DOMAIN_TYPE_WITH_CHAIN_ID if self.has_chain_id else DOMAIN_TYPE_WITHOUT_CHAIN_ID

    @property
    def typehash(self) -> bytes:
        return keccak(self.type_string.encode())

    @property
    def separator(self) -> bytes:
        """The domain separator, what a hardware wallet shows as the 'domain hash'."""
        if self.has_chain_id:
            body = abi_encode(["bytes32", "uint256", "address"], [self.typehash, self.chain_id, self.safe])
        else:
            body = abi_encode(["bytes32", "address"], [self.typehash, self.safe])
        return keccak(body)

    def typed_data(self) -> tuple[list[dict[str, str]], dict[str, Any]]:
        """The ``EIP712Domain`` type and values of this domain (``eth_signTypedData_v4``), for a
        SafeTx and a SafeMessage alike."""
        fields = [{"name": "verifyingContract", "type": "address"}]
        values: dict[str, Any] = {"verifyingContract": self.safe}
        if self.has_chain_id:
            fields.insert(0, {"name": "chainId", "type": "uint256"})
            values["chainId"] = self.chain_id
        return fields, values


@dataclass(frozen=True)
class SafeTx:
    """The ten fields a Safe signs. Inputs are checked and normalised on construction:
    addresses become checksummed strings, ``data`` may be given as hex and is stored as bytes."""

    to: str
    value: int = 0
    data: bytes = b""
    operation: int = CALL
    safe_tx_gas: int = 0
    base_gas: int = 0
    gas_price: int = 0
    gas_token: str = ZERO_ADDRESS
    refund_receiver: str = ZERO_ADDRESS
    nonce: int = field(kw_only=True)

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "to", parse_address(self.to, "to"))
        put(self, "value", parse_uint(self.value, "value"))
        put(self, "data", parse_hex_bytes(self.data, "data"))
        put(self, "operation", parse_operation(self.operation))
        put(self, "safe_tx_gas", parse_uint(self.safe_tx_gas, "safeTxGas"))
        put(self, "base_gas", parse_uint(self.base_gas, "baseGas"))
        put(self, "gas_price", parse_uint(self.gas_price, "gasPrice"))
        put(self, "gas_token", parse_address(self.gas_token, "gasToken"))
        put(self, "refund_receiver", parse_address(self.refund_receiver, "refundReceiver"))
        put(self, "nonce", parse_uint(self.nonce, "nonce"))

    def contract_args(self) -> tuple[Any, ...]:
        """Arguments for the Safe's ``getTransactionHash``/``encodeTransactionData`` in order
        (``execTransaction`` takes the same first nine plus ``signatures`` instead of nonce)."""
        return (
            self.to, self.value, self.data, self.operation, self.safe_tx_gas,
            self.base_gas, self.gas_price, self.gas_token, self.refund_receiver, self.nonce,
        )

    def to_json(self) -> dict[str, Any]:
        """The Transaction Service's field names; big numbers as decimal strings."""
        return {
            "to": self.to,
            "value": str(self.value),
            "data": "0x" + self.data.hex(),
            "operation": self.operation,
            "safeTxGas": str(self.safe_tx_gas),
            "baseGas": str(self.base_gas),
            "gasPrice": str(self.gas_price),
            "gasToken": self.gas_token,
            "refundReceiver": self.refund_receiver,
            "nonce": str(self.nonce),
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "SafeTx":
        """Inverse of ``to_json``; also accepts snake_case keys and a null ``data``."""
        if not isinstance(obj, dict):
            raise InputError("a Safe transaction must be a JSON object")

        def pick(camel: str, snake: str, default: Any) -> Any:
            value = obj.get(camel, obj.get(snake, default))
            return default if value is None else value

        if "to" not in obj:
            raise InputError("a Safe transaction needs a 'to' address")
        return cls(
            to=obj["to"],
            value=pick("value", "value", 0),
            data=pick("data", "data", b""),
            operation=pick("operation", "operation", CALL),
            safe_tx_gas=pick("safeTxGas", "safe_tx_gas", 0),
            base_gas=pick("baseGas", "base_gas", pick("dataGas", "data_gas", 0)),
            gas_price=pick("gasPrice", "gas_price", 0),
            gas_token=pick("gasToken", "gas_token", ZERO_ADDRESS),
            refund_receiver=pick("refundReceiver", "refund_receiver", ZERO_ADDRESS),
            nonce=pick("nonce", "nonce", 0),
        )


def parse_operation(value: object) -> int:
    """0/1, '0'/'1' or 'call'/'delegatecall' -> 0/1."""
    names = {"0": CALL, "1": DELEGATECALL, "call": CALL, "delegatecall": DELEGATECALL}
    if isinstance(value, bool):
        raise InputError(f"operation: expected 0 (CALL) or 1 (DELEGATECALL), got {value!r}")
    if isinstance(value, int) and value in (CALL, DELEGATECALL):
        return value
    if isinstance(value, str) and value.strip().lower() in names:
        return names[value.strip().lower()]
    raise InputError(f"operation: expected 0 (CALL) or 1 (DELEGATECALL), got {value!r}")


def safe_tx_typehash(version: str) -> bytes:
    type_string = SAFE_TX_TYPE_DATA_GAS if parse_version(version) < (1, 0, 0) else SAFE_TX_TYPE
    return keccak(type_string.encode())


def domain_hash(domain: SafeDomain) -> bytes:
    return domain.separator


def message_hash(tx: SafeTx, version: str = "1.4.1") -> bytes:
    """hashStruct(SafeTx): what a hardware wallet shows as the 'message hash'."""
    body = abi_encode(
        ["bytes32", "address", "uint256", "bytes32", "uint8", "uint256", "uint256",
         "uint256", "address", "address", "uint256"],
        [safe_tx_typehash(version), tx.to, tx.value, keccak(tx.data), tx.operation,
         tx.safe_tx_gas, tx.base_gas, tx.gas_price, tx.gas_token, tx.refund_receiver, tx.nonce],
    )
    return keccak(body)


def encode_typed_data(tx: SafeTx, domain: SafeDomain) -> bytes:
    """The 66 bytes the Safe hashes (its ``encodeTransactionData``): 0x1901 || domain || message."""
    return b"\x19\x01" + domain.separator + message_hash(tx, domain.version)


def safe_tx_hash(tx: SafeTx, domain: SafeDomain) -> bytes:
    """The hash owners sign and the Safe's ``getTransactionHash`` returns."""
    return keccak(encode_typed_data(tx, domain))


@dataclass(frozen=True)
class SafeTxHashes:
    domain_hash: bytes
    message_hash: bytes
    safe_tx_hash: bytes

    def to_json(self) -> dict[str, str]:
        return {
            "domain_hash": "0x" + self.domain_hash.hex(),
            "message_hash": "0x" + self.message_hash.hex(),
            "safe_tx_hash": "0x" + self.safe_tx_hash.hex(),
        }


def hashes(tx: SafeTx, domain: SafeDomain) -> SafeTxHashes:
    """All three hashes at once, as a hardware wallet displays them."""
    return SafeTxHashes(domain.separator, message_hash(tx, domain.version), safe_tx_hash(tx, domain))


def typed_data(tx: SafeTx, domain: SafeDomain) -> dict[str, Any]:
    """The EIP-712 JSON (``eth_signTypedData_v4`` shape) for wallets that sign typed data."""
    domain_fields, domain_values = domain.typed_data()
    gas_name = "dataGas" if domain.uses_data_gas else "baseGas"
    names = ["to", "value", "data", "operation", "safeTxGas", gas_name, "gasPrice",
             "gasToken", "refundReceiver", "nonce"]
    types = ["address", "uint256", "bytes", "uint8", "uint256", "uint256", "uint256",
             "address", "address", "uint256"]
    message = dict(zip(names, tx.contract_args()))
    message["data"] = "0x" + tx.data.hex()
    return {
        "types": {
            "EIP712Domain": domain_fields,
            "SafeTx": [{"name": n, "type": t} for n, t in zip(names, types)],
        },
        "primaryType": "SafeTx",
        "domain": domain_values,
        "message": message,
    }
