"""``safe → governor → timelock``: an OpenZeppelin ``Governor`` with ``GovernorTimelockControl``
is the Timelock's proposer. An upgrade is a proposal: the Safe calls ``propose`` (its
description names the batch hash), token holders vote, anyone ``queue``s it once it
succeeded (the Governor schedules the batch in the Timelock), and anyone ``execute``s it once
the Timelock's delay is over. CREATE2 deployments stay in the Safe's own leg.

Read from OpenZeppelin Contracts 5.7.0 / 4.9.6 (commits in ``abi``) ``governance/IGovernor.sol`` (``ProposalState``:
Pending, Active, Canceled, Defeated, Succeeded, Queued, Expired, Executed) and
``extensions/GovernorTimelockControl.sol`` (the timelock salt, see ``operation``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from eth_utils import to_checksum_address

from upgrader.governance import abi
from upgrader.governance.base import Progress, duration, latest_timestamp, view
from upgrader.governance.operation import GovernorProposal
from upgrader.governance.timelock import ThroughTimelock, _call, operation_progress, scheduled_leg
from upgrader.manifest.governance import GovernorRecord

if TYPE_CHECKING:
    from web3 import Web3

    from upgrader.manifest import Manifest

STATES = ("Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed")
LEG_OF_STATE = {"Pending": "proposed", "Active": "voting", "Canceled": "cancelled", "Defeated": "defeated",
                "Succeeded": "succeeded", "Expired": "expired", "Executed": "executed"}


def governor_of(w3: "Web3", candidate: str, timelock: str) -> bool:
    """``candidate`` is a Governor whose ``timelock()`` is ``timelock``."""
    found = view(w3, candidate, abi.TIMELOCK)
    return found is not None and to_checksum_address(found) == to_checksum_address(timelock)


def read_governor(w3: "Web3", address: str) -> GovernorRecord:
    address = to_checksum_address(address)
    token = view(w3, address, abi.TOKEN)
    return GovernorRecord(
        address=address, oz_version="5" if view(w3, address, abi.PROPOSAL_NEEDS_QUEUING, 0) is not None else "4",
        name=str(view(w3, address, abi.NAME) or "Governor"), token=to_checksum_address(token) if token else None,
        clock_mode=str(view(w3, address, abi.CLOCK_MODE) or "mode=blocknumber&from=default"),
        voting_delay=int(view(w3, address, abi.VOTING_DELAY) or 0), voting_period=int(view(w3, address, abi.VOTING_PERIOD) or 1))


def description_of(batch_hash: str, inner: list[dict[str, Any]]) -> str:
    """The proposal's description: it names the batch hash, so the proposal id does too."""
    return f"upgrader plan, batch hash {batch_hash}\n\n" + "\n".join(f"- {c['description']}" for c in inner)


def proposal_state(w3: "Web3", governor: str, proposal_id: int) -> str | None:
    """The ``ProposalState`` name, None when the Governor knows no such proposal (``state`` reverts)."""
    state = view(w3, governor, abi.STATE, proposal_id)
    return None if state is None else STATES[int(state)]


class GovernorChain(ThroughTimelock):
    name: ClassVar[str] = "governor"
    label: ClassVar[str] = "Safe → Governor → TimelockController (OpenZeppelin)"

    def wrap(self, w3: "Web3", manifest: "Manifest", body: dict[str, Any]) -> dict[str, Any]:
        gov, tl = manifest.governance.governor, manifest.governance.timelock  # type: ignore[union-attr]
        deploys, inner, batch_hash, delay = scheduled_leg(w3, tl, body, gov.address, "the Governor")
        proposal = GovernorProposal.of_calls(inner, description_of(batch_hash, inner))
        op = proposal.timelock_operation(gov.address, gov.oz_version)
        propose = _call(gov.address, proposal.propose_data(), (
            f"{gov.name}.propose({len(inner)} calls, description naming batch hash {batch_hash}), proposal {proposal.id}: "
            + "; ".join(c["description"] for c in inner)))
        return {**body, "calls": [*deploys, propose], "governance": {
            "kind": self.name, "governor": gov.address, "timelock": tl.address, "oz_version": gov.oz_version,
            "min_delay": delay, "delay": delay, "batch_hash": batch_hash, "calls": inner, "proposal": proposal.to_json(),
            "operation": op.to_json(),
            "queue": _call(gov.address, proposal.queue_data(), f"{gov.name}.queue(proposal {proposal.id})"),
            "execute": _call(gov.address, proposal.execute_data(), f"{gov.name}.execute(proposal {proposal.id})"),
            "executor": "anyone"}}

    def progress(self, w3: "Web3", manifest: "Manifest", plan: dict[str, Any], from_block: int = 0) -> Progress | None:
        g = plan.get("governance")
        if not g:
            return None
        pid, h = int(g["proposal"]["id"]), plan["plan_hash"]
        state = proposal_state(w3, g["governor"], pid)
        if state is None:
            return Progress(h, self.name, str(pid), "not-scheduled", now=latest_timestamp(w3), detail="not proposed")
        if state == "Queued":
            op = operation_progress(w3, g["timelock"], g["operation"]["id"], h, self.name, from_block)
            return Progress(h, self.name, str(pid), op.state, op.ready_at, op.now, detail="queued in the Timelock")
        detail = ""
        if state in ("Pending", "Active"):
            deadline = view(w3, g["governor"], abi.PROPOSAL_DEADLINE, pid)
            detail = f"voting ends at clock {deadline}" if deadline is not None else ""
        return Progress(h, self.name, str(pid), LEG_OF_STATE[state], now=latest_timestamp(w3), detail=detail)  # type: ignore[arg-type]

    def describe(self, manifest: "Manifest") -> list[str]:
        gov, tl = manifest.governance.governor, manifest.governance.timelock  # type: ignore[union-attr]
        return [f"Safe {manifest.safe.address} ({manifest.safe.threshold} of {len(manifest.safe.owners)}) proposes",
                f"{gov.name} {gov.address} (OpenZeppelin Governor {gov.oz_version}.x, token {gov.token}, voting delay "
                f"{gov.voting_delay}, period {gov.voting_period}, clock {gov.clock_mode})",
                f"TimelockController {tl.address} (OpenZeppelin {tl.oz_version}.x), min delay {duration(tl.min_delay)}",
                "owns the proxies (or their ProxyAdmin/beacon)"]
