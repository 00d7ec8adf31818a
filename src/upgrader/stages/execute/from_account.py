"""`upgrader execute` from an account whose key is here (a keyfile or hardware wallet alias),
and every re-run after an interruption.

The signed ``execTransaction`` is written to ``deployments/<network>/executions/<safeTxHash>.json``
before it is broadcast, so a process killed at any point leaves what it sent: a re-run waits
for that very transaction (re-sending the same bytes if the node forgot it), never signs a
second one for the same nonce, and raises fees only with ``--replace`` (same nonce). Once the
Safe's nonce has moved past the transaction, the re-run finds its ``ExecutionSuccess`` in the
Safe's logs and records the upgrade instead of failing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from upgrader.chain import broadcast
from upgrader.chain.events import EXECUTION_FAILURE, EXECUTION_SUCCESS, read_events
from upgrader.errors import InputError, UnsafeError
from upgrader.manifest.store import atomic_write
from upgrader.stages.context import NetworkContext
from upgrader.stages.execute.queued import (ExecuteResult, execute, fetch_verified, plan_for, threshold_signatures,
                                       record_upgrade, verify_onchain)
from upgrader.stages.execute.races import already_executed, interrupts_held
from upgrader.stages.planfile import ensure_fresh
from upgrader.stages.sync import last_recorded_block
from upgrader.safe_service.client import MultisigTx, TransactionServiceClient
from upgrader.safe.signatures import encode_signatures

SCHEMA = "upgrader/execution@1"
WAIT_S = 180.0


def record_path(ctx: NetworkContext, h: str) -> Path:
    return ctx.store.folder / "executions" / f"{h.lower()}.json"


def load_record(ctx: NetworkContext, h: str) -> dict[str, Any] | None:
    path = record_path(ctx, h)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"execution record {path} is unreadable ({type(exc).__name__}); move it away to start over") from None
    if data.get("schema") != SCHEMA:
        raise InputError(f"execution record {path} is not {SCHEMA}; move it away to start over")
    return data


STATES = ("signed", "broadcast", "included", "failed")  # how far an execution got; a record never goes back


def save_record(ctx: NetworkContext, record: dict[str, Any]) -> None:
    """Write ``record`` merged, under the network's lock (manifest.store), with the one on disk as
    it is then: ``sync`` marking it included while this run waits for the receipt is kept, and an
    attempt another run added is not dropped. ``record`` is updated to what was written."""
    with ctx.store.locked():
        merged = merge_records(load_record(ctx, record["safe_tx_hash"]), record)
        atomic_write(record_path(ctx, record["safe_tx_hash"]), json.dumps(merged, indent=2, sort_keys=True) + "\n")
    record.clear()
    record.update(merged)


def merge_records(disk: dict[str, Any] | None, mine: dict[str, Any]) -> dict[str, Any]:
    """Pure: the record that keeps what either side knows (attempts by tx, the furthest state)."""
    if disk is None:
        return dict(mine)
    ahead = disk if STATES.index(disk.get("state", "signed")) > STATES.index(mine.get("state", "signed")) else mine
    merged = {**disk, **mine, "state": ahead["state"], "tx": ahead.get("tx") or mine.get("tx") or disk.get("tx"),
              "block": ahead.get("block") or mine.get("block") or disk.get("block")}
    attempts = {a["tx"]: a for a in disk.get("attempts", [])}
    attempts.update({a["tx"]: a for a in mine.get("attempts", [])})
    merged["attempts"] = list(attempts.values())  # disk's order, then mine's new ones
    return merged


def run(ctx: NetworkContext, client: TransactionServiceClient, h: str, signer: Any | None = None,
        replace: bool = False, wait_s: float = WAIT_S, accept_red: str | None = None) -> ExecuteResult:
    """Execute ``h``, resume an interrupted execution of it, or record it if it already ran.
    Every transaction this signs follows the review, the first send and each ``replace``: red
    warnings refuse it (exit 1) unless ``accept_red`` (re-sending bytes signed earlier does not)."""
    from upgrader.stages.netlock import network_lock
    from upgrader.stages.review.gate import gate_queued

    h = h.lower()
    mtx, contract = fetch_verified(ctx, client, h)
    executed = mtx.is_executed or mtx.nonce < int(contract.functions.nonce().call())
    if not executed and (replace or load_record(ctx, h) is None):  # about to sign a transaction: review it first
        gate_queued(ctx, h, mtx.tx, mtx.safe, "execute", accept_red, signer.address if signer else "the executor")
    if load_record(ctx, h) is None and not executed and (signer is None or _unlocked_on_node(ctx, signer.address)):
        return execute(ctx, client, h, None if signer is None else signer.address)  # a node-unlocked account (dev chains)
    with network_lock(ctx.store.folder, "execute", getattr(client, "deadline_at", None), "`upgrader execute`"):
        mtx, contract = fetch_verified(ctx, client, h)  # again: another run may have finished while we waited
        record = load_record(ctx, h)
        if mtx.is_executed or mtx.nonce < int(contract.functions.nonce().call()):
            return recover_executed(ctx, mtx, h, record)
        if record is not None:
            return _resume(ctx, mtx, h, record, signer, replace, wait_s)
        if signer is None:
            raise InputError(f"pass --sender ALIAS: the account that signs and sends execTransaction for {h}")
        return _first_broadcast(ctx, mtx, contract, h, signer, wait_s)


def _unlocked_on_node(ctx: NetworkContext, address: str) -> bool:
    from upgrader.stages.sign.signer import DEV_CHAIN_IDS

    if ctx.chain_id not in DEV_CHAIN_IDS:
        return False
    return address.lower() in {str(a).lower() for a in ctx.w3.eth.accounts}


def _signatures(h: str, mtx: MultisigTx, contract: Any) -> bytes:
    return encode_signatures(threshold_signatures(h, mtx, contract))


def _first_broadcast(ctx: NetworkContext, mtx: MultisigTx, contract: Any, h: str, signer: Any, wait_s: float) -> ExecuteResult:
    current = int(contract.functions.nonce().call())
    if mtx.nonce > current:
        raise InputError(f"{h} has nonce {mtx.nonce} but the Safe is at nonce {current}; execute or replace the earlier ones first")
    plan = plan_for(ctx, mtx)
    ensure_fresh(plan, ctx.manifest())
    call = contract.functions.execTransaction(*mtx.tx.contract_args()[:9], _signatures(h, mtx, contract))
    data = bytes.fromhex(call._encode_transaction_data()[2:])
    tx = broadcast.build(ctx.w3, signer.address, mtx.safe, data)
    raw = signer.sign_transaction(tx)
    record = {"schema": SCHEMA, "safe_tx_hash": h, "safe": mtx.safe, "plan_hash": plan["plan_hash"],
              "sender": signer.address, "nonce": tx["nonce"], "chain_id": tx["chainId"], "gas": tx["gas"],
              "to": tx["to"], "data": tx["data"], "from_block": int(ctx.w3.eth.block_number),
              "attempts": [_attempt(raw, tx)], "state": "signed", "tx": None, "block": None}
    with interrupts_held(h) as sending:
        sending.sent(record["attempts"][-1]["tx"])
        save_record(ctx, record)  # before the broadcast: a killed process finds what it sent
        broadcast.send_raw(ctx.w3, raw)
        record["state"] = "broadcast"
        save_record(ctx, record)
        return _await(ctx, mtx, h, record, plan, wait_s)  # Ctrl-C once: still recorded; twice: says how


def _attempt(raw: bytes, tx: dict[str, Any]) -> dict[str, Any]:
    return {"tx": broadcast.tx_hash_of(raw), "raw": "0x" + raw.hex(),
            "max_fee_per_gas": tx["maxFeePerGas"], "max_priority_fee_per_gas": tx["maxPriorityFeePerGas"]}


def _resume(ctx: NetworkContext, mtx: MultisigTx, h: str, record: dict[str, Any], signer: Any | None,
            replace: bool, wait_s: float) -> ExecuteResult:
    plan = plan_for(ctx, mtx)
    if replace:
        if signer is None or signer.address.lower() != record["sender"].lower():
            raise InputError(f"--replace needs --sender with the account that sent it ({record['sender']})")
        last = record["attempts"][-1]
        fees = broadcast.Fees(last["max_fee_per_gas"], last["max_priority_fee_per_gas"]).bumped()
        node = broadcast.node_fees(ctx.w3)
        fees = broadcast.Fees(max(fees.max_fee, node.max_fee), max(fees.priority, node.priority))
        tx = broadcast.build(ctx.w3, record["sender"], record["to"], bytes.fromhex(record["data"][2:]),
                             nonce=record["nonce"], fees=fees, gas=record["gas"])
        raw = signer.sign_transaction(tx)
        record["attempts"].append(_attempt(raw, tx))
        record["state"] = "signed"
        save_record(ctx, record)
        broadcast.send_raw(ctx.w3, raw)
        record["state"] = "broadcast"
        save_record(ctx, record)
    elif broadcast.receipt_of(ctx.w3, hashes := [a["tx"] for a in record["attempts"]]) is None and not any(
            broadcast.known(ctx.w3, t) for t in hashes):
        broadcast.send_raw(ctx.w3, bytes.fromhex(record["attempts"][-1]["raw"][2:]))  # the same bytes again
    return _await(ctx, mtx, h, record, plan, wait_s)


def _await(ctx: NetworkContext, mtx: MultisigTx, h: str, record: dict[str, Any], plan: dict[str, Any],
           wait_s: float) -> ExecuteResult:
    raws = [bytes.fromhex(a["raw"][2:]) for a in record["attempts"]]
    receipt = broadcast.await_inclusion(ctx.w3, raws, wait_s)
    if receipt is None:
        raise InputError(f"transaction {record['attempts'][-1]['tx']} (nonce {record['nonce']} of {record['sender']}) not "
                         f"included after {wait_s:.0f} s; re-run `upgrader execute {h}` to keep waiting for it, "
                         "or add --replace --sender ALIAS to raise its fees")
    tx_hash, block = "0x" + bytes(receipt["transactionHash"]).hex(), int(receipt["blockNumber"])
    record.update(tx=tx_hash, block=block)
    failed = receipt["status"] != 1 or any(
        (("0x" + bytes(lg["topics"][0]).hex()) == EXECUTION_FAILURE) for lg in receipt["logs"] if lg["topics"])
    if failed:
        record["state"] = "failed"
        save_record(ctx, record)
        raise UnsafeError(f"execTransaction {tx_hash} failed (block {block}); the Safe nonce is "
                          f"{'used' if receipt['status'] == 1 else 'unchanged'}")
    proxies = verify_onchain(ctx, plan)
    record_upgrade(ctx, plan, h, tx_hash, block)
    record["state"] = "included"
    save_record(ctx, record)
    return ExecuteResult(h, plan["plan_hash"], tx_hash, block, proxies)


def recover_executed(ctx: NetworkContext, mtx: MultisigTx, h: str, record: dict[str, Any] | None) -> ExecuteResult:
    """The Safe's nonce is past ``h``: find its execution in the Safe's logs and record it."""
    manifest = ctx.manifest()
    for p in manifest.proxies:
        for entry in p.history:
            if (entry.safe_tx_hash or "").lower() == h:  # recorded already: the same answer as a lost race
                raise already_executed(ctx.w3, mtx.safe, h, mtx.nonce, mtx.nonce + 1, entry.tx)
    start = last_recorded_block(manifest)
    if record is not None and record.get("from_block") is not None:
        start = min(start, int(record["from_block"]))
    head = int(ctx.w3.eth.block_number)
    for ev in read_events(ctx.w3, [mtx.safe], [EXECUTION_SUCCESS, EXECUTION_FAILURE], start, head):
        if ev.safe_tx_hash() != h:
            continue
        if ev.name == "ExecutionFailure":
            raise UnsafeError(f"{h} was executed and failed inside the Safe (tx {ev.tx}, block {ev.block})")
        plan = plan_for(ctx, mtx)
        proxies = verify_onchain(ctx, plan)
        record_upgrade(ctx, plan, h, ev.tx, ev.block)
        if record is not None:
            record.update(tx=ev.tx, block=ev.block, state="included")
            save_record(ctx, record)
        return ExecuteResult(h, plan["plan_hash"], ev.tx, ev.block, proxies, recovered=True)
    where = f" in tx {mtx.transaction_hash}" if mtx.transaction_hash else ""
    raise InputError(f"{h} cannot be executed: nonce {mtx.nonce} is already used{where}, and no ExecutionSuccess for it "
                     f"since block {start}; `upgrader sync --network {ctx.network.name}` records what happened")
