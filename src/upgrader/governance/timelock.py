"""``safe → timelock``: the proxies belong to an OpenZeppelin ``TimelockController`` whose
proposer is the Safe. An upgrade has two legs: the Safe's ``scheduleBatch`` of every upgrade
call (delay ≥ ``getMinDelay()``, salt = the batch hash), then, once the delay is over,
``executeBatch`` of the same operation (by anyone when the executor role is open, else by the
Safe when it holds the role, else by an account that does: ``executor_of``). CREATE2 deployments of the new implementations stay in the Safe's own leg, so the code
that will run is on chain, and reviewable, for the whole delay.

Read from OpenZeppelin Contracts 5.7.0 / 4.9.6 ``contracts/governance/TimelockController.sol``
(OpenZeppelin/openzeppelin-contracts at cab19933c33c / dc44c9f1a4c3, see ``abi``): an
operation's timestamp is 0 when unset (never scheduled, or cancelled: ``cancel`` deletes it),
1 once done (``_DONE_TIMESTAMP``), else the time it becomes ready; ``onlyRoleOrOpenRole``
lets anyone execute when ``address(0)`` holds ``EXECUTOR_ROLE``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from eth_utils import to_checksum_address

from upgrader.chain.create2 import DEPLOYER as CREATE2_DEPLOYER
from upgrader.governance import abi
from upgrader.constants import ZERO_ADDRESS
from upgrader.governance.base import Progress, duration, latest_timestamp, view
from upgrader.governance.operation import TimelockOperation
from upgrader.manifest.governance import TimelockRecord
from upgrader.proxies.base import UpgradeCall

if TYPE_CHECKING:
    from web3 import Web3

    from upgrader.manifest import Manifest

DONE_TIMESTAMP = 1


def is_timelock(w3: "Web3", address: str) -> bool:
    return bool(w3.eth.get_code(to_checksum_address(address))) and view(w3, address, abi.GET_MIN_DELAY) is not None \
        and view(w3, address, abi.HAS_ROLE, abi.PROPOSER_ROLE, ZERO_ADDRESS) is not None


def role_members(w3: "Web3", timelock: str, role: bytes, also: list[str] = ()) -> list[str]:
    """Accounts that hold ``role`` now: every account a ``RoleGranted`` of the timelock named
    (AccessControl has no enumeration), plus ``also``, kept when ``hasRole`` still holds."""
    from upgrader.chain.events import read_events

    head = int(w3.eth.block_number)
    seen: list[str] = [to_checksum_address(a) for a in also]
    for ev in read_events(w3, [timelock], [abi.ROLE_GRANTED], 0, head, page=head + 1):
        if len(ev.topics) > 2 and ev.topics[1].lower() == "0x" + role.hex():
            account = to_checksum_address("0x" + ev.topics[2][-40:])
            if account not in seen:
                seen.append(account)
    return [a for a in seen if view(w3, timelock, abi.HAS_ROLE, role, a)]


def read_timelock(w3: "Web3", address: str, known: list[str] = ()) -> TimelockRecord:
    address = to_checksum_address(address)
    members = {r: [a for a in role_members(w3, address, r, known) if a != ZERO_ADDRESS]
               for r in (abi.PROPOSER_ROLE, abi.CANCELLER_ROLE, abi.EXECUTOR_ROLE)}
    return TimelockRecord(
        address=address, oz_version="5" if view(w3, address, abi.GET_OPERATION_STATE, bytes(32)) is not None else "4",
        min_delay=int(view(w3, address, abi.GET_MIN_DELAY)), proposers=members[abi.PROPOSER_ROLE],
        cancellers=members[abi.CANCELLER_ROLE], executors=members[abi.EXECUTOR_ROLE],
        executor_open=bool(view(w3, address, abi.HAS_ROLE, abi.EXECUTOR_ROLE, ZERO_ADDRESS)))


def operation_progress(w3: "Web3", timelock: str, op_id: str, plan_hash: str, chain: str, from_block: int = 0) -> Progress:
    """The operation's state from its timestamp; an unset operation with a ``Cancelled`` event is cancelled."""
    ts = int(view(w3, timelock, abi.GET_TIMESTAMP, bytes.fromhex(op_id[2:])) or 0)
    now = latest_timestamp(w3)
    if ts == DONE_TIMESTAMP:
        return Progress(plan_hash, chain, op_id, "executed", now=now)
    if ts == 0:
        return Progress(plan_hash, chain, op_id, "cancelled" if was_cancelled(w3, timelock, op_id, from_block) else "not-scheduled", now=now)
    return Progress(plan_hash, chain, op_id, "scheduled" if ts > now else "ready", ready_at=ts, now=now)


def was_cancelled(w3: "Web3", timelock: str, op_id: str, from_block: int) -> bool:
    from upgrader.chain.events import read_events

    head = int(w3.eth.block_number)
    return any(ev.topics[1:2] == (op_id.lower(),)
               for ev in read_events(w3, [timelock], [abi.CANCELLED], from_block, head, page=max(1, head - from_block + 1)))


def executor_of(tl: TimelockRecord, safe: str) -> dict[str, Any]:
    """Who runs the plan's execute leg, as the plan's ``governance`` records it: ``anyone`` (the
    role is open), ``safe`` (the Safe holds ``EXECUTOR_ROLE``: the execute leg is a Safe
    transaction), else ``account`` with the accounts that hold it (``execute <operation id>
    --sender <one of them>``; seen on gwalen/erc20_swapper_task@a10c00f, whose deploy script
    makes the deployer the only executor). With no executor known at all, ``safe``: its
    simulation then fails, truly (nobody known may execute)."""
    if tl.executor_open:
        return {"executor": "anyone"}
    if to_checksum_address(safe) in tl.executors or not tl.executors:
        return {"executor": "safe"}
    return {"executor": "account", "executors": list(tl.executors)}


def may_execute(g: dict[str, Any], safe: str) -> str:
    """An account that may execute the plan's operation, for the fork (the stranger, the Safe, an executor)."""
    from upgrader.sim.runner import ANYONE

    match g.get("executor"):
        case "safe":
            return to_checksum_address(safe)
        case "account":
            return to_checksum_address(g["executors"][0])
        case _:
            return ANYONE


def require_role(w3: "Web3", timelock: str, role: bytes, account: str, who: str) -> None:
    """UnsafeError when ``account`` no longer holds ``role`` (drift since import: nothing it signs would run)."""
    from upgrader.errors import UnsafeError

    if not view(w3, timelock, abi.HAS_ROLE, role, account):
        raise UnsafeError(f"{who} {account} no longer holds {abi.ROLE_NAMES[role]} on the Timelock {timelock} (drift); "
                          "re-import or restore the role before planning")


def split_deploys(calls: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(CREATE2 deployments, which anyone may make now, and the calls only the authority may make)."""
    deploys = [c for c in calls if c["to"].lower() == CREATE2_DEPLOYER.lower()]
    return deploys, [c for c in calls if c["to"].lower() != CREATE2_DEPLOYER.lower()]


def _call(to: str, data: bytes, description: str) -> dict[str, Any]:
    return UpgradeCall(to_checksum_address(to), data, description).to_plan()


def scheduled_leg(w3: "Web3", timelock: TimelockRecord, body: dict[str, Any], proposer: str,
                  who: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str, int]:
    """What every chain through a Timelock starts its ``wrap`` with: the proposer still holds its
    role; the CREATE2 deployments (the Safe's own leg) apart from the calls the Timelock runs; the
    batch hash of the plan as the Safe would run it directly; the Timelock's minimum delay now."""
    from upgrader.stages.planfile import plan_hash

    require_role(w3, timelock.address, abi.PROPOSER_ROLE, proposer, who)
    deploys, inner = split_deploys(body["calls"])
    batch_hash = plan_hash({**body, "calls": [*deploys, *inner]})
    return deploys, inner, batch_hash, int(view(w3, timelock.address, abi.GET_MIN_DELAY) or timelock.min_delay)


class ThroughTimelock:
    """A chain whose last link is the manifest's TimelockController: the Timelock owns the proxies."""

    def authority(self, manifest: "Manifest") -> str:
        return manifest.governance.timelock.address  # type: ignore[union-attr]


class TimelockChain(ThroughTimelock):
    name: ClassVar[str] = "timelock"
    label: ClassVar[str] = "Safe → TimelockController (OpenZeppelin)"

    def wrap(self, w3: "Web3", manifest: "Manifest", body: dict[str, Any]) -> dict[str, Any]:
        tl = manifest.governance.timelock  # type: ignore[union-attr]
        deploys, inner, batch_hash, delay = scheduled_leg(w3, tl, body, manifest.safe.address, "the Safe")
        op = TimelockOperation.of_calls(inner, bytes.fromhex(batch_hash[2:]))
        schedule = _call(tl.address, op.schedule_data(delay), (
            f"TimelockController.scheduleBatch({len(inner)} calls, delay {duration(delay)}, salt = batch hash {batch_hash}), "
            f"operation {'0x' + op.id.hex()}: " + "; ".join(c["description"] for c in inner)))
        execute = _call(tl.address, op.execute_data(), f"TimelockController.executeBatch of operation 0x{op.id.hex()} ({len(inner)} calls)")
        return {**body, "calls": [*deploys, schedule], "governance": {
            "kind": self.name, "timelock": tl.address, "oz_version": tl.oz_version, "min_delay": delay, "delay": delay,
            "batch_hash": batch_hash, "calls": inner, "operation": op.to_json(), "execute": execute,
            **executor_of(tl, manifest.safe.address)}}

    def progress(self, w3: "Web3", manifest: "Manifest", plan: dict[str, Any], from_block: int = 0) -> Progress | None:
        g = plan.get("governance")
        if not g:
            return None
        return operation_progress(w3, g["timelock"], g["operation"]["id"], plan["plan_hash"], self.name, from_block)

    def describe(self, manifest: "Manifest") -> list[str]:
        tl = manifest.governance.timelock  # type: ignore[union-attr]
        executors = "anyone (open role)" if tl.executor_open else (", ".join(tl.executors) or "nobody known")
        return [f"Safe {manifest.safe.address} ({manifest.safe.threshold} of {len(manifest.safe.owners)}) schedules",
                f"TimelockController {tl.address} (OpenZeppelin {tl.oz_version}.x), min delay {duration(tl.min_delay)}; "
                f"proposers {', '.join(tl.proposers)}; cancellers {', '.join(tl.cancellers) or 'none'}; executors {executors}",
                "owns the proxies (or their ProxyAdmin/beacon)"]
