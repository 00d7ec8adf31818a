"""`upgrader confirm` and `upgrader execute`: owners sign through the Transaction Service;
once the threshold is met the Safe executes, the chain is verified against the plan, and the
manifest records the upgrade (history + each proxy's new implementation)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from upgrader.sim.safe_exec import execute as exec_transaction
from upgrader.sim.safe_exec import safe_contract
from upgrader.errors import InputError, UnsafeError
from upgrader.manifest import Implementation, Manifest, manifest_hash
from upgrader.manifest.layout import layout_snapshot
from upgrader.stages.batch import plan_safe_tx
from upgrader.stages.context import NetworkContext
from upgrader.stages.execute.races import already_executed, executed_in, interrupts_held, send_or_lost_race
from upgrader.stages.planfile import ensure_fresh, network_plans
from upgrader.stages.sign.signer import Signer, signed
from upgrader.proxies import kind_of
from upgrader.safe_service.client import MultisigTx, TransactionServiceClient
from upgrader.safe.signatures import SafeSignature, approved_hash_signature, encode_signatures, split_signatures
from upgrader.safe.tx import SafeDomain, safe_tx_hash, typed_data


@dataclass(frozen=True)
class ConfirmResult:
    safe_tx_hash: str
    owner: str
    added: bool  # False: this owner had already confirmed
    confirmations: int
    threshold: int
    nested: dict[str, Any] | None = None  # confirmed through an owner Safe: pipeline.nested_confirm
    red_accepted: tuple[dict[str, Any], ...] = ()  # --accept-red of the signers so far (stages.review.gate)

    def to_json(self) -> dict[str, Any]:
        return {"safe_tx_hash": self.safe_tx_hash, "owner": self.owner, "added": self.added,
                "confirmations": self.confirmations, "threshold": self.threshold, "nested": self.nested,
                "red_accepted": list(self.red_accepted)}


@dataclass(frozen=True)
class ExecuteResult:
    safe_tx_hash: str
    plan_hash: str
    tx: str
    block: int
    proxies: dict[str, str]  # name -> implementation now on chain
    recovered: bool = False  # executed by an earlier run that stopped before recording it; recorded now

    def to_json(self) -> dict[str, Any]:
        return {"safe_tx_hash": self.safe_tx_hash, "plan_hash": self.plan_hash, "tx": self.tx,
                "block": self.block, "proxies": self.proxies, "recovered": self.recovered}


def fetch_verified(ctx: NetworkContext, client: TransactionServiceClient, h: str) -> tuple[MultisigTx, Any]:
    """The service's transaction, its hash recomputed here (the service is not trusted)."""
    mtx = client.transaction_of(ctx.manifest().safe.address, h)  # another Safe's or hash's: exit 2 naming both
    if mtx is None:
        raise InputError(f"the Transaction Service at {client.url} has no transaction {h}; run `upgrader propose` first")
    contract = safe_contract(ctx.w3, mtx.safe)
    domain = SafeDomain(ctx.chain_id, mtx.safe, contract.functions.VERSION().call())
    if "0x" + safe_tx_hash(mtx.tx, domain).hex() != h.lower():
        raise UnsafeError(f"the service's fields for {h} hash to something else: do not sign or execute it")
    return mtx, contract


def confirm(ctx: NetworkContext, client: TransactionServiceClient, h: str, signer: Signer,
            raw_hash: bool = False, accept_red: str | None = None) -> ConfirmResult:
    """Sign ``h`` after its review: red warnings refuse it (exit 1) unless ``accept_red``."""
    from dataclasses import replace

    from upgrader.stages.review.gate import gate_queued

    mtx, contract = fetch_verified(ctx, client, h)
    threshold = int(contract.functions.getThreshold().call())
    if mtx.is_executed:
        raise InputError(f"{h} was already executed (tx {mtx.transaction_hash}); nothing to confirm")
    owner = signer.address in contract.functions.getOwners().call()
    if owner and mtx.confirmed_by(signer.address):
        return ConfirmResult(h, signer.address, False, len(mtx.confirmations), threshold)
    accepted = tuple(gate_queued(ctx, h, mtx.tx, mtx.safe, "confirm", accept_red, signer.address))
    if not owner:
        return replace(_confirm_nested(ctx, client, mtx, signer, threshold), red_accepted=accepted)
    domain = SafeDomain(ctx.chain_id, mtx.safe, contract.functions.VERSION().call())
    client.confirm(h, signed(signer, bytes.fromhex(h[2:]), typed_data(mtx.tx, domain), raw_hash), owner=signer.address)
    after = client.multisig_transaction(h)
    return ConfirmResult(h, signer.address, True, len(after.confirmations) if after else 0, threshold, red_accepted=accepted)


def _confirm_nested(ctx: NetworkContext, client: TransactionServiceClient, mtx: MultisigTx, signer: Signer,
                    threshold: int) -> ConfirmResult:
    """A signer of an owner Safe confirms through that Safe (pipeline.nested_confirm)."""
    from upgrader.stages.sign.nested import confirm_through_owner_safe, owner_safe_of

    owner_safe = owner_safe_of(ctx.w3, mtx.safe, signer.address)
    if owner_safe is None:
        raise InputError(f"{signer.address} is neither an owner of Safe {mtx.safe} nor a signer of an owner Safe; pass --sender OWNER")
    done = confirm_through_owner_safe(ctx.w3, client, mtx.safe, mtx.safe_tx_hash, signer, owner_safe)
    after = client.multisig_transaction(mtx.safe_tx_hash)
    return ConfirmResult(mtx.safe_tx_hash, owner_safe, done.approved and not mtx.confirmed_by(owner_safe),
                         len(after.confirmations) if after else 0, threshold, done.to_json())


def owner_signatures(h: str, mtx: MultisigTx, owners: list[str], approved: Any = None) -> list[SafeSignature]:
    """Owners' ECDSA confirmations, plus a pre-approved-hash signature (v = 1) for each owner
    for which ``approved(owner)`` -- the chain's ``approvedHashes`` -- holds (owner Safes approve so)."""
    lowered = {o.lower() for o in owners}
    sigs = {}
    for c in mtx.confirmations:
        try:
            (sig,) = split_signatures(h, c.signature)  # one owner's, a contract signature with its data
        except (InputError, ValueError):
            continue
        if (sig.verified or sig.kind == "contract") and sig.signer.lower() in lowered:
            sigs[sig.signer] = sig  # a contract signature is checked by the Safe (isValidSignature) at execution
    for owner in owners:
        if owner not in sigs and approved is not None and approved(owner):
            sigs[owner] = approved_hash_signature(owner)
    return list(sigs.values())


def threshold_signatures(h: str, mtx: MultisigTx, contract: Any) -> list[SafeSignature]:
    """The signatures execTransaction takes: ``threshold`` of the owners' (confirmations and
    on-chain approved hashes), in ascending owner order as the Safe checks them; an
    InputError naming who may still confirm when there are too few."""
    owners = list(contract.functions.getOwners().call())
    threshold = int(contract.functions.getThreshold().call())
    sigs = owner_signatures(h, mtx, owners, lambda o: bool(contract.functions.approvedHashes(o, bytes.fromhex(h[2:])).call()))
    if len(sigs) < threshold:
        missing = [o for o in owners if not any(s.signer == o for s in sigs)]
        raise InputError(f"{h} has {len(sigs)} of {threshold} owner confirmations; `upgrader confirm {h} --sender OWNER` "
                         f"with one of {', '.join(missing)}")
    return sorted(sigs, key=lambda s: int(s.signer, 16))[:threshold]


def plan_for(ctx: NetworkContext, mtx: MultisigTx) -> dict[str, Any]:
    """The plan under plans/ whose batch at this nonce is exactly the service's transaction."""
    from upgrader.governance.legs import safe_legs  # a Timelock's execute leg may be a Safe transaction too

    current_hash = manifest_hash(ctx.manifest())  # only a fresh plan of this network qualifies
    for plan in (leg for p in network_plans(ctx.plans_dir, ctx.network.name, ctx.chain_id) for leg in safe_legs(p)):
        if (plan["safe"]["address"] == mtx.safe and plan_safe_tx(plan, mtx.nonce) == mtx.tx
                and plan["manifest_hash"] == current_hash):
            return plan
    raise InputError(f"no plan under {ctx.plans_dir} makes transaction {mtx.safe_tx_hash}; upgrader only executes its own plans")


def execute(ctx: NetworkContext, client: TransactionServiceClient, h: str, executor: str | None = None) -> ExecuteResult:
    """One execute per network at a time (``pipeline.netlock``): a concurrent run of the same
    hash waits, then finds it executed and recorded."""
    from upgrader.stages.netlock import network_lock

    with network_lock(ctx.store.folder, "execute", getattr(client, "deadline_at", None), "`upgrader execute`"):
        return _execute(ctx, client, h.lower(), executor)


def _execute(ctx: NetworkContext, client: TransactionServiceClient, h: str, executor: str | None) -> ExecuteResult:
    mtx, contract = fetch_verified(ctx, client, h)
    current = int(contract.functions.nonce().call())
    if mtx.is_executed or mtx.nonce < current:
        recovered = record_missed(ctx, mtx, h)
        if recovered is None:
            raise already_executed(ctx.w3, mtx.safe, h, mtx.nonce, current, mtx.transaction_hash)
        return recovered
    if mtx.nonce > current:
        raise InputError(f"{h} has nonce {mtx.nonce} but the Safe is at nonce {current}; execute or replace the earlier ones first")
    plan = plan_for(ctx, mtx)
    ensure_fresh(plan, ctx.manifest())
    chosen = threshold_signatures(h, mtx, contract)
    sender = executor or _default_executor(ctx, [s.signer for s in chosen])
    with interrupts_held(h) as sending:  # once sent, the upgrade is verified and recorded even if Ctrl-C comes
        receipt = send_or_lost_race(lambda: exec_transaction(ctx.w3, mtx.safe, mtx.tx, encode_signatures(chosen), sender,
                                                             on_sent=sending.sent),
                                    ctx.w3, mtx.safe, h, mtx.nonce, lambda: int(contract.functions.nonce().call()))
        tx_hash, block = "0x" + bytes(receipt["transactionHash"]).hex(), int(receipt["blockNumber"])
        proxies = verify_onchain(ctx, plan)
        record_upgrade(ctx, plan, h, tx_hash, block)
    return ExecuteResult(h, plan["plan_hash"], tx_hash, block, proxies)


def record_missed(ctx: NetworkContext, mtx: MultisigTx, h: str) -> ExecuteResult | None:
    """The Safe executed ``h`` but no run recorded it (killed between sending and recording):
    with the plan still fresh (the manifest does not hold it yet), verify the chain and record
    it now. None when there is nothing to recover."""
    tx_hash = executed_in(ctx.w3, mtx.safe, h)
    if tx_hash is None:
        return None
    try:
        plan = plan_for(ctx, mtx)  # only a plan made from the current manifest: not recorded yet
    except InputError:
        return None
    block = int(ctx.w3.eth.get_transaction_receipt(tx_hash)["blockNumber"])
    proxies = verify_onchain(ctx, plan)
    record_upgrade(ctx, plan, h, tx_hash, block)
    return ExecuteResult(h, plan["plan_hash"], tx_hash, block, proxies, recovered=True)


def _default_executor(ctx: NetworkContext, signers: list[str]) -> str:
    unlocked = [str(a) for a in ctx.w3.eth.accounts]
    for s in signers:
        if s in unlocked:
            return s
    if unlocked:
        return unlocked[0]
    raise InputError("no account on this node can send the transaction; pass --sender with an unlocked account")


def verify_onchain(ctx: NetworkContext, plan: dict[str, Any]) -> dict[str, str]:
    from upgrader.governance.legs import first_leg_outcome

    if (scheduled := first_leg_outcome(ctx, plan)) is not None:  # scheduled or proposed: the upgrade runs later
        return scheduled
    result, wrong = {}, []
    manifest = ctx.manifest()
    for u in plan["upgrades"]:
        record = manifest.proxy(u["proxy"])
        on_chain = kind_of(record).implementation(ctx.w3, record)
        result[u["proxy"]] = on_chain
        if on_chain.lower() != u["to"]["implementation"].lower():
            wrong.append(f"{u['proxy']} points to {on_chain}, planned {u['to']['implementation']}")
    if wrong:
        raise UnsafeError("executed, but the chain does not match the plan: " + "; ".join(wrong))
    return result


def record_upgrade(ctx: NetworkContext, plan: dict[str, Any], h: str | None, tx_hash: str, block: int) -> Manifest:
    """Record the plan's upgrades made in ``tx_hash`` (manifest.history: decided under the lock,
    so a ``sync`` that recorded them while this run waited for its receipt is not repeated)."""
    from upgrader.governance.legs import is_first_leg
    from upgrader.manifest.history import SeenUpgrade, record

    if is_first_leg(plan):  # nothing upgraded yet: the last leg of the chain records it
        return ctx.manifest()
    manifest = ctx.manifest()
    logs = upgraded_logs(ctx.w3, tx_hash)
    seen = []
    for u in plan["upgrades"]:
        p = manifest.proxy(u["proxy"])
        impl = Implementation(
            address=u["to"]["implementation"], contract=u["to"]["contract"], code_hash=u["to"]["code_hash"],
            storage_layout=layout_snapshot(ctx.build_info, u["to"]["contract"]),
            deploy_tx=None if u["to"].get("already_deployed") else tx_hash, block=block,
        )
        emitters = {a.lower() for a in (p.address, p.beacon) if a}
        index = next((i for address, target, i in reversed(logs) if address in emitters and target == impl.address.lower()), None)
        seen.append(SeenUpgrade(p.name, impl, tx_hash, block, index, plan["plan_hash"], h))
    return record(ctx.store, ctx.chain_id, seen)[0]


def upgraded_logs(w3: Any, tx_hash: str) -> list[tuple[str, str, int]]:
    """(emitter, implementation, log index) of each ERC-1967 ``Upgraded`` log of the transaction."""
    from upgrader.chain.events import UPGRADED

    out = []
    for log in w3.eth.get_transaction_receipt(tx_hash)["logs"]:
        topics = ["0x" + bytes(t).hex() for t in log["topics"]]
        if len(topics) > 1 and topics[0] == UPGRADED:
            out.append((str(log["address"]).lower(), "0x" + topics[1][-40:], int(log["logIndex"])))
    return out
