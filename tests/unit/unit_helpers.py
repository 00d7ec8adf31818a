"""Small helpers the per-module contract tests share: expected custom errors, events, Safe calls.

Reverts are checked by their exact revert data (custom error selector + ABI-encoded
arguments), read with an ``eth_call`` from the would-be sender; the same call sent as a
transaction is then shown to fail too, so a test cannot pass on a call that only *looks*
like it reverts.
"""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address
from web3.exceptions import ContractCustomError, ContractLogicError

from upgrader.build import artifacts
from upgrader.chain import create2
from upgrader.chain.rpc import send
from upgrader.errors import TransactionFailed
from upgrader.sim.safe_exec import approve_and_execute, safe_contract
from upgrader.safe.tx import SafeTx

ZERO = "0x0000000000000000000000000000000000000000"
ADMIN_ROLE = keccak(text="ADMIN_ROLE")
MANAGER_ROLE = keccak(text="MANAGER_ROLE")
OPERATOR_ROLE = keccak(text="OPERATOR_ROLE")


def error_data(abi: list[dict[str, Any]], name: str, *args: Any) -> bytes:
    """The revert data of custom error ``name(args)`` as declared in ``abi``."""
    for item in abi:
        if item.get("type") == "error" and item["name"] == name:
            types = [i["type"] for i in item["inputs"]]
            selector = keccak(text=f"{name}({','.join(types)})")[:4]
            return selector + abi_encode(types, list(args))
    raise KeyError(f"no error {name} in the ABI")


def oz_error(name: str, types: tuple[str, ...] = (), args: tuple[Any, ...] = ()) -> bytes:
    """Revert data of an error declared in an OpenZeppelin base (not always in the module ABI)."""
    return keccak(text=f"{name}({','.join(types)})")[:4] + abi_encode(list(types), list(args))


def revert_data(fn: Any, sender: str) -> bytes:
    """Revert data of ``fn`` called by ``sender``; fails the test if it does not revert."""
    try:
        fn.call({"from": sender})
    except (ContractCustomError, ContractLogicError) as exc:
        data = exc.data if isinstance(exc.data, str) else getattr(exc, "data", None)
        if isinstance(data, str) and data.startswith("0x"):
            return bytes.fromhex(data[2:])
        raise AssertionError(f"reverted without custom error data: {exc!r}") from None
    raise AssertionError(f"{fn.fn_name} from {sender} did not revert")


def assert_reverts(fn: Any, sender: str, expected: bytes) -> None:
    """``fn`` from ``sender`` reverts with exactly ``expected``, as a call and as a transaction."""
    got = revert_data(fn, sender)
    assert got == expected, f"revert data 0x{got.hex()} != expected 0x{expected.hex()}"
    # Sent with a fixed gas limit (no estimation), so the revert happens on chain: status 0.
    with pytest.raises(TransactionFailed, match="reverted"):
        send(fn.w3, {"from": sender, "to": fn.address, "data": fn._encode_transaction_data(), "gas": 3_000_000})


def transact(fn: Any, sender: str) -> Any:
    return send(fn.w3, fn.build_transaction({"from": sender}))


def events(contract: Any, name: str, receipt: Any) -> list[dict[str, Any]]:
    from web3.logs import DISCARD

    return [dict(e["args"]) for e in getattr(contract.events, name)().process_receipt(receipt, errors=DISCARD)]


def safe_nonce(system: Any) -> int:
    return safe_contract(system.w3, system.safe).functions.nonce().call()


def safe_call(system: Any, to: str, data: bytes, owners: list[str] | None = None) -> Any:
    """Execute one call from the Safe with two owners' pre-approved hashes; returns the receipt."""
    tx = SafeTx(to=to_checksum_address(to), data=data, nonce=safe_nonce(system))
    return approve_and_execute(system.w3, system.safe, tx, (owners or system.owners)[:2])


def calldata(fn: Any) -> bytes:
    return bytes.fromhex(fn._encode_transaction_data()[2:])


def deploy_impl(system: Any, name: str, salt: bytes | None = None) -> str:
    art = artifacts.find(system.build_info, name)
    address, _, _ = create2.ensure_deployed(system.w3, system.deployer, art.initcode, salt)
    return address


def at(system: Any, address: str, name: str) -> Any:
    return system.w3.eth.contract(address=to_checksum_address(address), abi=artifacts.find(system.build_info, name).abi)


def mint_and_approve(system: Any, holder: str, amount: int) -> None:
    token = system.contract("MockERC20")
    transact(token.functions.mint(holder, amount), holder)
    transact(token.functions.approve(system.address("RentVault"), amount), holder)
