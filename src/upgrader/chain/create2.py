"""Deterministic deployment through the CREATE2 deployer present on Anvil and most chains."""

from __future__ import annotations

from typing import TYPE_CHECKING

from upgrader.keccak import keccak
from eth_utils import to_checksum_address

from upgrader.chain.rpc import code_at, send
from upgrader.errors import InputError, TransactionFailed

if TYPE_CHECKING:
    from web3 import Web3

DEPLOYER = "0x4e59b44847b379578588920cA78FbF26c0B4956C"


def salt_for(initcode: bytes) -> bytes:
    """The salt is derived from the code itself, so the address is known before anyone signs."""
    return keccak(b"upgrader:create2:" + initcode)


def address_of(initcode: bytes, salt: bytes | None = None, deployer: str = DEPLOYER) -> str:
    salt = salt_for(initcode) if salt is None else salt
    raw = keccak(b"\xff" + bytes.fromhex(deployer[2:]) + salt + keccak(initcode))[12:]
    return to_checksum_address(raw)


def deploy_calldata(initcode: bytes, salt: bytes | None = None) -> bytes:
    """Calldata for the deployer: the 32-byte salt followed by the init code."""
    return (salt_for(initcode) if salt is None else salt) + initcode


def ensure_deployed(w3: "Web3", sender: str, initcode: bytes, salt: bytes | None = None) -> tuple[str, str | None, int | None]:
    """Deploy unless code already sits at the address. Returns (address, tx hash, block)."""
    address = address_of(initcode, salt)
    if code_at(w3, address):
        return address, None, None
    if not code_at(w3, DEPLOYER):
        raise InputError(f"this chain has no CREATE2 deployer at {DEPLOYER}; deploy it first (the presigned transaction of "
                         "github.com/Arachnid/deterministic-deployment-proxy) or use a chain that has it")
    receipt = send(w3, {"from": sender, "to": DEPLOYER, "data": "0x" + deploy_calldata(initcode, salt).hex()})
    if not code_at(w3, address):
        raise TransactionFailed(f"the CREATE2 deployment to {address} (tx 0x{bytes(receipt['transactionHash']).hex()}) left no code there: the constructor failed")
    return address, "0x" + bytes(receipt["transactionHash"]).hex(), int(receipt["blockNumber"])
