"""Execute a SafeTx through the Safe's real ``execTransaction``.

On dev chains and forks, owners approve the hash on chain (``approveHash``, sent from the
owner account: unlocked on Anvil, impersonated on a fork) and the transaction carries the
matching pre-approved signatures. With collected off-chain signatures, pass them instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eth_utils import to_checksum_address

from upgrader.chain.rpc import send
from upgrader.deploy.safe import safe_abi
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


def approve_and_execute(
    w3: "Web3", safe: str, tx: SafeTx, owners: list[str], executor: str | None = None, impersonated: bool = False
) -> Any:
    """Have ``owners`` approve the hash on chain, then execute; returns the receipt."""
    contract = safe_contract(w3, safe)
    tx_hash = safe_tx_hash(tx, domain_of(w3, safe, contract.functions.VERSION().call()))
    for owner in owners:
        if impersonated:
            impersonate(w3, owner)
        send(w3, contract.functions.approveHash(tx_hash).build_transaction({"from": owner}))
    signatures = encode_signatures(approved_hash_signature(o) for o in owners)
    return execute(w3, safe, tx, signatures, executor or owners[0])


def execute(w3: "Web3", safe: str, tx: SafeTx, signatures: bytes, executor: str) -> Any:
    contract = safe_contract(w3, safe)
    call = contract.functions.execTransaction(*tx.contract_args()[:9], signatures)
    from web3.exceptions import ContractLogicError

    try:  # with safeTxGas 0 a failing batch reverts the whole execTransaction (GS013), found at estimation
        built = call.build_transaction({"from": executor})
    except ContractLogicError as exc:
        raise RuntimeError(f"execTransaction reverts: {exc.message or exc}") from exc
    receipt = send(w3, built)
    failures = contract.events.ExecutionFailure().process_receipt(receipt, errors=_discard())
    if failures:
        raise RuntimeError(f"Safe transaction {failures[0]['args']['txHash'].hex()} failed inside the Safe")
    return receipt


def _discard() -> Any:
    from web3.logs import DISCARD

    return DISCARD
