"""``upgrader execute <operation id | proposal id | plan hash | safeTxHash of the first leg>``:
the legs after the Safe's. Each run looks at the chain and does the one step it allows:

- Timelock, ``ready``, executor role open: ``executeBatch`` from ``--sender`` (or, on a dev
  chain, an unlocked account); then the chain is verified against the plan and the upgrade
  recorded, exactly as after a Safe execution.
- Timelock, ``ready``, the executor role held by accounts (not the Safe): ``executeBatch`` from
  ``--sender``, which must hold it (on a dev chain, an unlocked account that does).
- Timelock, ``ready``, only the Safe executes: the execute leg is a Safe transaction
  (``upgrader propose PLAN`` queues it; ``confirm`` and ``execute <its safeTxHash>`` as always).
- Governor: ``succeeded`` → ``queue``; ``ready`` → ``execute`` (both open to anyone).
- ``executed`` but not recorded (someone else ran it, or a run stopped before recording):
  verify and record. Anything else (scheduled, voting, cancelled, defeated) says what it is.

Re-running is harmless: a step already taken is seen on chain and not taken again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from upgrader.errors import InputError, UnsafeError
from upgrader.governance.legs import is_first_leg, safe_legs

if TYPE_CHECKING:
    from upgrader.governance.base import Progress
    from upgrader.stages.context import NetworkContext


@dataclass(frozen=True)
class LegResult:
    plan_hash: str
    chain: str
    id: str
    step: str  # "execute" | "queue" | "recorded"
    tx: str | None
    block: int | None
    state: str  # the progress text after the step
    proxies: dict[str, str]  # name -> implementation now on chain (empty until the upgrade ran)

    def to_json(self) -> dict[str, Any]:
        return {"plan_hash": self.plan_hash, "chain": self.chain, "id": self.id, "step": self.step, "tx": self.tx,
                "block": self.block, "state": self.state, "proxies": self.proxies}


def governed_plan_for(ctx: "NetworkContext", key: str, client_factory: Any = None) -> dict[str, Any] | None:
    """The pending governed plan ``key`` names: by operation/proposal id, plan or batch hash, or
    as the safeTxHash of its executed first leg (asked of the Safe service). None: not ours to run."""
    from upgrader.governance.track import find_plan

    manifest = ctx.manifest()
    if manifest.governance is None:
        return None
    plan = find_plan(ctx, manifest, key)
    if plan is None and (done := find_plan(ctx, manifest, key, pending=False)) is not None:
        raise InputError(f"{key} belongs to plan {done['plan_hash']}, made from an earlier manifest: its upgrade is recorded "
                         "already (or superseded); nothing left to do")
    if plan is not None or client_factory is None or not (key.startswith("0x") and len(key) == 66):
        return plan
    from upgrader.stages.execute.queued import fetch_verified, plan_for

    mtx, contract = fetch_verified(ctx, client_factory(), key)
    if not (mtx.is_executed or mtx.nonce < int(contract.functions.nonce().call())):
        return None  # not executed yet: the Safe's own execute runs it
    try:
        leg = plan_for(ctx, mtx)
    except InputError:
        return None
    return leg if is_first_leg(leg) else None


def run_later_leg(ctx: "NetworkContext", plan: dict[str, Any], sender: Any = None, wait_s: float = 180.0) -> LegResult:
    from upgrader.governance.track import progress_of

    progress = progress_of(ctx, ctx.manifest(), plan)
    assert progress is not None
    g = plan["governance"]
    what = "operation" if progress.chain == "timelock" else "proposal"
    if progress.state == "executed":
        return _record(ctx, plan, progress, "recorded", None, None)
    if progress.state == "ready":
        if len(safe_legs(plan)) > 1:
            raise InputError(f"{what} {progress.id} is ready, and only the Safe may execute it: `upgrader propose "
                             f"{ctx.plans_dir / (plan['plan_hash'] + '.json')}` queues the execute leg; confirm and execute its safeTxHash")
        receipt = _send(ctx, sender, g["execute"], wait_s, g.get("executors") if g.get("executor") == "account" else None)
        return _record(ctx, plan, progress_of(ctx, ctx.manifest(), plan), "execute", *receipt)
    if progress.state == "succeeded":
        tx, block = _send(ctx, sender, g["queue"], wait_s)
        after = progress_of(ctx, ctx.manifest(), plan)
        return LegResult(plan["plan_hash"], progress.chain, progress.id, "queue", tx, block, after.text, {})
    if progress.state in ("scheduled", "proposed", "voting"):
        raise InputError(f"{what} {progress.id} is {progress.text}; run `upgrader execute {progress.id}` again then")
    if progress.state == "not-scheduled":
        raise InputError(f"{what} {progress.id} is not on chain: propose, confirm and execute the Safe's leg of plan {plan['plan_hash']} first")
    raise UnsafeError(f"{what} {progress.id} is {progress.text}: it will never run; make a new plan")


def _send(ctx: "NetworkContext", sender: Any, call: dict[str, Any], wait_s: float,
          executors: list[str] | None = None) -> tuple[str, int]:
    """Send ``call`` from ``sender`` (a signer; a dev chain's unlocked account when None or
    unlocked there) and wait for it; a revert is UnsafeError. ``executors``: only accounts that
    hold the Timelock's ``EXECUTOR_ROLE`` now may send it (the plan's list names them); another
    ``--sender`` is refused before anything is sent."""
    from upgrader.chain import broadcast
    from upgrader.governance import abi
    from upgrader.governance.base import view

    w3 = ctx.w3

    def may_send(account: str) -> bool:
        return executors is None or bool(view(w3, call["to"], abi.HAS_ROLE, abi.EXECUTOR_ROLE, account))

    unlocked = [str(a) for a in w3.eth.accounts]
    if sender is None:
        unlocked = [a for a in unlocked if may_send(a)]
    account = sender.address if sender is not None else (unlocked[0] if unlocked else None)
    if account is None:
        who = (f"an account holding the Timelock's EXECUTOR_ROLE ({', '.join(executors)})" if executors is not None
               else "the account that sends the transaction (the executor role is open)")
        raise InputError(f"pass --sender ALIAS: {who}")
    if not may_send(account):
        raise InputError(f"--sender {account} does not hold EXECUTOR_ROLE on the Timelock {call['to']}; "
                         "send it from one of the Timelock's executors")
    if account in unlocked:
        tx_hash = w3.eth.send_transaction({"from": account, "to": call["to"], "data": call["data"], "value": int(call["value"])})
        receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=wait_s, poll_latency=0.05)
    else:
        raw = sender.sign_transaction(broadcast.build(w3, account, call["to"], bytes.fromhex(call["data"][2:])))
        broadcast.send_raw(w3, raw)
        receipt = broadcast.await_inclusion(w3, [raw], wait_s)
        if receipt is None:
            raise InputError(f"{call['description']}: not included after {wait_s:.0f} s; run the command again to see where it stands")
    tx = "0x" + bytes(receipt["transactionHash"]).hex()
    if receipt["status"] != 1:
        raise UnsafeError(f"{call['description']} reverted in tx {tx}")
    return tx, int(receipt["blockNumber"])


def _record(ctx: "NetworkContext", plan: dict[str, Any], progress: "Progress", step: str, tx: str | None,
            block: int | None) -> LegResult:
    """The operation ran: verify the proxies point where the plan says, record the upgrade once."""
    from upgrader.stages.execute.queued import record_upgrade, verify_onchain

    if progress.state != "executed":
        raise UnsafeError(f"{progress.chain} {progress.id} is {progress.text} after {step}: it did not run")
    # the upgrade is on chain now: verify and record as any last leg (the implementations were
    # deployed by the Safe's first leg, not by this transaction)
    leg = {**plan, "leg": "executed", "upgrades": [{**u, "to": {**u["to"], "already_deployed": True}} for u in plan["upgrades"]]}
    proxies = verify_onchain(ctx, leg)
    if tx is None:
        tx, block = _executed_in(ctx, plan)
    record_upgrade(ctx, leg, None, tx, block)
    return LegResult(plan["plan_hash"], progress.chain, progress.id, step, tx, block, progress.text, proxies)


def _executed_in(ctx: "NetworkContext", plan: dict[str, Any]) -> tuple[str, int]:
    """The transaction in which the Timelock executed the operation (its ``CallExecuted`` events)."""
    from upgrader.chain.events import read_events
    from upgrader.governance import abi
    from upgrader.stages.sync import last_recorded_block

    g = plan["governance"]
    start, head = last_recorded_block(ctx.manifest()), int(ctx.w3.eth.block_number)
    for ev in read_events(ctx.w3, [g["timelock"]], [abi.CALL_EXECUTED], start, head, page=max(1, head - start + 1)):
        if ev.topics[1:2] == (g["operation"]["id"].lower(),):
            return ev.tx, ev.block
    raise InputError(f"operation {g['operation']['id']} is done, but no CallExecuted for it since block {start}; "
                     f"`upgrader sync --network {ctx.network.name}` records what happened")
