"""The Safe contract on a chain: its ABI bound to an address, its EIP-712 domain, and
``execute`` of a SafeTx with collected signatures (what ``execute`` does on a real network).
Runs on forks and dev chains with approvals made on chain go through ``sim.runner``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eth_utils import to_checksum_address

from upgrader.chain.rpc import send
from upgrader.deploy.safe import safe_abi
from upgrader.errors import TransactionFailed
from upgrader.safe.signatures import approved_hash_signature, encode_signatures
from upgrader.safe.tx import SafeDomain, SafeTx, safe_tx_hash

if TYPE_CHECKING:
    from web3 import Web3


def safe_contract(w3: "Web3", address: str) -> Any:
    return w3.eth.contract(address=to_checksum_address(address), abi=safe_abi())


def domain_of(w3: "Web3", safe: str, version: str = "1.4.1") -> SafeDomain:
    return SafeDomain(chain_id=w3.eth.chain_id, safe=to_checksum_address(safe), version=version)


def impersonate(w3: "Web3", account: str) -> None:
    w3.provider.make_request("anvil_impersonateAccount", [account])
    w3.provider.make_request("anvil_setBalance", [account, hex(10**20)])


def approve_and_execute(w3: "Web3", safe: str, tx: SafeTx, owners: list[str], executor: str | None = None) -> Any:
    """Have ``owners`` approve the hash on chain (impersonated on Anvil), then execute, through
    the one fork runner (``sim.runner``); the receipt, or TransactionFailed with the revert reason."""
    from upgrader.sim.runner import run_safe_tx

    run = run_safe_tx(w3, safe, tx, owners=owners, executor=executor)
    if not run.ok or run.tx_hash is None:
        raise TransactionFailed(f"Safe transaction {run.safe_tx_hash} failed: {run.revert}")
    return w3.eth.get_transaction_receipt(run.tx_hash)


def execute(w3: "Web3", safe: str, tx: SafeTx, signatures: bytes, executor: str, on_sent: Any = None) -> Any:
    contract = safe_contract(w3, safe)
    call = contract.functions.execTransaction(*tx.contract_args()[:9], signatures)
    from web3.exceptions import ContractLogicError

    try:  # with safeTxGas 0 a failing batch reverts the whole execTransaction (GS013), found at estimation
        built = call.build_transaction({"from": executor})
    except ContractLogicError as exc:
        raise TransactionFailed(f"execTransaction reverts: {exc.message or exc}") from exc
    receipt = send(w3, built, on_sent=on_sent)
    failures = contract.events.ExecutionFailure().process_receipt(receipt, errors=_discard())
    if failures:
        raise TransactionFailed(f"Safe transaction 0x{bytes(failures[0]['args']['txHash']).hex()} failed inside the Safe "
                                f"(ExecutionFailure in tx 0x{bytes(receipt['transactionHash']).hex()})")
    return receipt


def _discard() -> Any:
    from web3.logs import DISCARD

    return DISCARD
