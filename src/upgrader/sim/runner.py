"""Run one SafeTx on an Anvil fork through the Safe's real ``execTransaction``: the Safe's
own nonce, owners and guard; owners approve the hash on chain (impersonated), an owner that
is itself a Safe approves through its own ``execTransaction`` (the nested approval path)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_utils import to_checksum_address

from upgrader.sim.safe_exec import domain_of, impersonate, safe_contract
from upgrader.sim.reasons import revert_reason
from upgrader.safe.signatures import approved_hash_signature, encode_signatures
from upgrader.safe.tx import SafeTx, safe_tx_hash

SAFE_NONCE_SLOT = 5  # Safe 1.x storage: singleton, modules, owners, ownerCount, threshold, nonce
GAS_LIMIT = 25_000_000
MAX_NESTING = 3


@dataclass
class Execution:
    safe: str
    safe_tx_hash: str
    ok: bool
    gas_used: int | None = None
    tx_hash: str | None = None  # the execTransaction transaction on the fork
    revert: str | None = None
    notes: list[str] = field(default_factory=list)
    approvals: list[dict[str, Any]] = field(default_factory=list)  # owner Safes' approval runs

    def to_json(self) -> dict[str, Any]:
        return {"safe": self.safe, "safe_tx_hash": self.safe_tx_hash, "ok": self.ok, "gas_used": self.gas_used,
                "tx_hash": self.tx_hash, "revert": self.revert, "notes": self.notes, "approvals": self.approvals}


def is_safe(w3: Any, address: str) -> bool:
    if not bytes(w3.eth.get_code(to_checksum_address(address))):
        return False
    try:
        safe_contract(w3, address).functions.getThreshold().call()
        return True
    except Exception:  # not a Safe (no getThreshold)
        return False


def _send(w3: Any, tx: dict[str, Any]) -> Any:
    """Mined whatever happens (explicit gas: no estimate that would refuse a revert), at a
    zero base fee so that no balance moves for gas."""
    w3.provider.make_request("anvil_setNextBlockBaseFeePerGas", ["0x0"])
    tx_hash = w3.eth.send_transaction({"gas": GAS_LIMIT, "gasPrice": 0, **tx})
    return w3.eth.wait_for_transaction_receipt(tx_hash, timeout=60, poll_latency=0.02)


def run_safe_tx(w3: Any, safe: str, tx: SafeTx, depth: int = 0) -> Execution:
    """Execute ``tx`` as the Safe would once its owners signed; a failed run is an Execution
    with ``ok`` False and the decoded reason, never an exception."""
    safe = to_checksum_address(safe)
    contract = safe_contract(w3, safe)
    version = contract.functions.VERSION().call()
    chain_nonce = contract.functions.nonce().call()
    digest = safe_tx_hash(tx, domain_of(w3, safe, version))
    run = Execution(safe=safe, safe_tx_hash="0x" + digest.hex(), ok=False)
    if tx.nonce < chain_nonce:
        run.revert = f"nonce {tx.nonce} was already used (the Safe is at nonce {chain_nonce}): this transaction can never execute"
        return run
    if tx.nonce > chain_nonce:
        w3.provider.make_request("anvil_setStorageAt", [safe, hex(SAFE_NONCE_SLOT), "0x" + tx.nonce.to_bytes(32, "big").hex()])
        run.notes.append(f"the Safe is at nonce {chain_nonce}: the fork skipped to {tx.nonce} without the transactions queued before it")
    owners = contract.functions.getOwners().call()
    threshold = contract.functions.getThreshold().call()
    nested = {o for o in owners if depth < MAX_NESTING and is_safe(w3, o)}
    chosen = sorted(owners, key=lambda o: o not in nested)[:threshold]  # an owner Safe's path is shown when there is one
    for owner in chosen:
        if owner in nested:
            inner = _approve_through(w3, owner, safe, digest, depth)
            run.approvals.append(inner.to_json())
            if not inner.ok:
                run.revert = f"owner Safe {owner} could not approve: {inner.revert}"
                return run
        else:
            impersonate(w3, owner)
            receipt = _send(w3, {"from": owner, "to": safe, "data": contract.encode_abi("approveHash", [digest])})
            if receipt["status"] != 1:
                run.revert = f"owner {owner} could not approveHash"
                return run
    signatures = encode_signatures(approved_hash_signature(o) for o in chosen)
    executor = next((o for o in chosen if o not in nested), None) or _executor(w3)
    impersonate(w3, executor)
    data = contract.encode_abi("execTransaction", [*tx.contract_args()[:9], signatures])
    receipt = _send(w3, {"from": executor, "to": safe, "data": data})
    run.tx_hash, run.gas_used = "0x" + bytes(receipt["transactionHash"]).hex(), int(receipt["gasUsed"])
    failed = receipt["status"] != 1 or _execution_failure(contract, receipt)
    run.ok = not failed
    if failed:
        run.revert = revert_reason(w3, run.tx_hash)
    return run


def _approve_through(w3: Any, owner_safe: str, safe: str, digest: bytes, depth: int) -> Execution:
    inner = safe_contract(w3, owner_safe)
    data = safe_contract(w3, safe).encode_abi("approveHash", [digest])
    return run_safe_tx(w3, owner_safe, SafeTx(to=safe, data=bytes.fromhex(data[2:]), nonce=inner.functions.nonce().call()), depth + 1)


def _executor(w3: Any) -> str:
    return to_checksum_address("0x" + "e0" * 20)  # anyone may call execTransaction with valid signatures


def _execution_failure(contract: Any, receipt: Any) -> bool:
    from web3.logs import DISCARD

    return bool(contract.events.ExecutionFailure().process_receipt(receipt, errors=DISCARD))
