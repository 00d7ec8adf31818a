"""The one Safe fork runner: run a SafeTx on an Anvil fork (or dev chain) through the Safe's
real ``execTransaction`` with the Safe's own nonce, owners and guard. Owners approve the hash
on chain (impersonated); an owner that is itself a Safe approves through its own
``execTransaction`` (the nested path, up to MAX_NESTING deep); a nonce ahead of the Safe's is
reached by skipping (the queued transactions before it are not run, and the run says so); a
failure carries the innermost revert reason (``sim.reasons``).

Used by ``simulate``, ``review --simulate`` and the dev-chain helpers; the pieces a longer
scenario needs are here too, each one call on an existing fork:

    run = run_safe_tx(w3, safe, tx)                 # Execution: ok, revert, tx_hash, notes
    pin_clock(w3)                                   # blocks every 12 s from the forked block, not this machine's clock
    warp(w3, 2 * 86400)                             # one block, that much later
    with throwaway(w3): ...                         # evm_snapshot / evm_revert around a block
    outcome = call_as(w3, stranger, to, data)       # eth_call from anyone: ok / decoded reason
    receipt = send_as(w3, sender, to, data)         # a mined transaction from anyone
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from eth_utils import to_checksum_address

from upgrader.safe.signatures import approved_hash_signature, encode_signatures
from upgrader.safe.tx import SafeTx, safe_tx_hash
from upgrader.sim.reasons import decode_revert, revert_reason
from upgrader.sim.safe_exec import domain_of, safe_contract

SAFE_NONCE_SLOT = 5  # Safe 1.x storage: singleton, modules, owners, ownerCount, threshold, nonce
GAS_LIMIT = 25_000_000
MAX_NESTING = 3
GET_THRESHOLD = bytes.fromhex("e75235b8")  # getThreshold()
ANYONE = to_checksum_address("0x" + "e0" * 20)  # anyone may call execTransaction with valid signatures


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
    owners: list[str] = field(default_factory=list)  # the owners whose approvals it carries

    def to_json(self) -> dict[str, Any]:
        return {"safe": self.safe, "safe_tx_hash": self.safe_tx_hash, "ok": self.ok, "gas_used": self.gas_used,
                "tx_hash": self.tx_hash, "revert": self.revert, "notes": self.notes, "approvals": self.approvals,
                "owners": self.owners}


@dataclass(frozen=True)
class CallOutcome:
    ok: bool
    output: bytes
    reason: str | None = None  # decoded revert reason when not ok


def is_safe(w3: Any, address: str) -> bool:
    if not bytes(w3.eth.get_code(to_checksum_address(address))):
        return False
    # the raw answer, not a decoded one: a contract without getThreshold() that stops answers
    # nothing, which a lenient decoder would read as 0 (upgrader.chain.strict_abi)
    try:
        answer = bytes(w3.eth.call({"to": to_checksum_address(address), "data": "0x" + GET_THRESHOLD.hex()}))
    except Exception:  # reverted: not a Safe
        return False
    return len(answer) == 32


def _impersonate(w3: Any, account: str) -> None:
    w3.provider.make_request("anvil_impersonateAccount", [account])


def send_as(w3: Any, sender: str, to: str, data: str | bytes, value: int = 0) -> Any:
    """A transaction from ``sender`` (impersonated), mined whatever happens (explicit gas: no
    estimate that would refuse a revert), at a zero base fee so that no balance moves for gas."""
    sender = to_checksum_address(sender)
    _impersonate(w3, sender)
    w3.provider.make_request("anvil_setNextBlockBaseFeePerGas", ["0x0"])
    payload = data if isinstance(data, str) else "0x" + bytes(data).hex()
    tx_hash = w3.eth.send_transaction({"from": sender, "to": to_checksum_address(to), "data": payload, "value": value,
                                       "gas": GAS_LIMIT, "gasPrice": 0})
    return w3.eth.wait_for_transaction_receipt(tx_hash, timeout=60, poll_latency=0.02)


def call_as(w3: Any, sender: str, to: str, data: str | bytes, value: int = 0) -> CallOutcome:
    """``eth_call`` from ``sender`` at the fork's head; a revert is an outcome, never an exception."""
    payload = data if isinstance(data, str) else "0x" + bytes(data).hex()
    call = {"from": to_checksum_address(sender), "to": to_checksum_address(to), "data": payload,
            "gas": hex(GAS_LIMIT), "value": hex(value)}
    raw = w3.provider.make_request("eth_call", [call, "latest"])
    if "error" in raw:
        err = raw["error"] or {}
        out = err.get("data") if isinstance(err.get("data"), str) else "0x"
        output = bytes.fromhex(out[2:]) if out.startswith("0x") else b""
        return CallOutcome(False, output, decode_revert(output) if output else str(err.get("message") or "reverted"))
    return CallOutcome(True, bytes.fromhex((raw.get("result") or "0x")[2:]))


BLOCK_TIME = 12  # seconds between a pinned fork's blocks (a mainnet slot)


def pin_clock(w3: Any) -> int:
    """Let the fork's clock follow its chain instead of this machine's: Anvil stamps a fork's
    new blocks with the wall clock, so two runs at one pinned block disagree on every timestamp
    the transaction stores (a Timelock's ETA) and on what is "ready". After this the next block
    is the forked block's timestamp plus BLOCK_TIME, every further one BLOCK_TIME later
    (``anvil_setBlockTimestampInterval``; ``warp`` still jumps). The next block's timestamp."""
    latest = int(w3.eth.get_block("latest")["timestamp"])
    w3.provider.make_request("anvil_setBlockTimestampInterval", [BLOCK_TIME])
    w3.provider.make_request("evm_setNextBlockTimestamp", [latest + BLOCK_TIME])
    return latest + BLOCK_TIME


def warp(w3: Any, seconds: int) -> int:
    """Mine one block ``seconds`` after the latest (later blocks follow it); its timestamp.
    Anvil ignores ``evm_increaseTime`` once a block interval is set, so the block is stamped
    exactly (``evm_setNextBlockTimestamp``), which works with or without ``pin_clock``."""
    stamp = int(w3.eth.get_block("latest")["timestamp"]) + int(seconds)
    w3.provider.make_request("evm_setNextBlockTimestamp", [stamp])
    w3.provider.make_request("evm_mine", [])
    return int(w3.eth.get_block("latest")["timestamp"])


@contextmanager
def throwaway(w3: Any) -> Iterator[None]:
    """Whatever runs inside is undone afterwards (``evm_snapshot`` / ``evm_revert``)."""
    snap = w3.provider.make_request("evm_snapshot", [])["result"]
    try:
        yield
    finally:
        w3.provider.make_request("evm_revert", [snap])


def gas_alone(w3: Any, sender: str, calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each call run alone from ``sender``, in order, on a throwaway snapshot: its gas, and the
    revert reason of one that fails alone."""
    out = []
    with throwaway(w3):
        for c in calls:
            receipt = send_as(w3, sender, c["to"], c["data"], int(c["value"]))
            entry: dict[str, Any] = {"description": c["description"], "gas": int(receipt["gasUsed"])}
            if receipt["status"] != 1:
                entry["reverted"] = revert_reason(w3, "0x" + bytes(receipt["transactionHash"]).hex())
            out.append(entry)
    return out


def run_safe_tx(w3: Any, safe: str, tx: SafeTx, owners: list[str] | None = None, executor: str | None = None,
                depth: int = 0) -> Execution:
    """Execute ``tx`` as the Safe would once its owners signed; a failed run is an Execution
    with ``ok`` False and the decoded reason, never an exception. ``owners``: who approves
    (default: a threshold of the Safe's owners, owner Safes first so their path is shown)."""
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
    if owners is None:
        all_owners = contract.functions.getOwners().call()
        threshold = contract.functions.getThreshold().call()
        nested = {o for o in all_owners if depth < MAX_NESTING and is_safe(w3, o)}
        chosen = sorted(all_owners, key=lambda o: o not in nested)[:threshold]
    else:
        chosen = [to_checksum_address(o) for o in owners]
        nested = {o for o in chosen if depth < MAX_NESTING and is_safe(w3, o)}
    run.owners = list(chosen)
    for owner in chosen:
        if owner in nested:
            inner = _approve_through(w3, owner, safe, digest, depth)
            run.approvals.append(inner.to_json())
            if not inner.ok:
                run.revert = f"owner Safe {owner} could not approve: {inner.revert}"
                return run
        elif send_as(w3, owner, safe, contract.encode_abi("approveHash", [digest]))["status"] != 1:
            run.revert = f"owner {owner} could not approveHash"
            return run
    signatures = encode_signatures(approved_hash_signature(o) for o in chosen)
    sender = executor or next((o for o in chosen if o not in nested), None) or ANYONE
    receipt = send_as(w3, sender, safe, contract.encode_abi("execTransaction", [*tx.contract_args()[:9], signatures]))
    run.tx_hash, run.gas_used = "0x" + bytes(receipt["transactionHash"]).hex(), int(receipt["gasUsed"])
    failed = receipt["status"] != 1 or _execution_failure(contract, receipt)
    run.ok = not failed
    if failed:
        run.revert = revert_reason(w3, run.tx_hash)
    return run


def _approve_through(w3: Any, owner_safe: str, safe: str, digest: bytes, depth: int) -> Execution:
    inner = safe_contract(w3, owner_safe)
    data = safe_contract(w3, safe).encode_abi("approveHash", [digest])
    return run_safe_tx(w3, owner_safe, SafeTx(to=safe, data=bytes.fromhex(data[2:]), nonce=inner.functions.nonce().call()),
                       depth=depth + 1)


def _execution_failure(contract: Any, receipt: Any) -> bool:
    from web3.logs import DISCARD

    return bool(contract.events.ExecutionFailure().process_receipt(receipt, errors=DISCARD))
