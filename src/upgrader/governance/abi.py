"""The ABI fragments of OpenZeppelin's ``TimelockController`` and ``Governor`` (with
``GovernorTimelockControl``) that upgrader calls, encodes, decodes or watches.

Signatures as in OpenZeppelin Contracts 5.7.0 and 4.9.6 (github.com/OpenZeppelin/openzeppelin-contracts
tags v5.7.0 = cab19933c33c2ad1d4c7a84864a3601dddfd16f3 and v4.9.6 = dc44c9f1a4c3b10af99492eed84f83ed244203f6;
the same files as npm ``@openzeppelin/contracts`` and its ``-v4`` alias in ``package.json``): ``governance/TimelockController.sol``,
``governance/Governor.sol``, ``governance/IGovernor.sol``,
``governance/extensions/GovernorTimelockControl.sol``, ``access/AccessControl.sol``. The two
versions share every selector used here; 5.x adds ``getOperationState`` (timelock) and
``proposalNeedsQueuing`` (governor), which is how the version is told apart.
"""

from __future__ import annotations

from typing import Any

from upgrader.chain.events import topic
from upgrader.keccak import keccak


def _fn(name: str, inputs: list[tuple[str, str]], outputs: list[str] = (), mutability: str = "nonpayable") -> dict[str, Any]:
    return {"type": "function", "name": name, "stateMutability": mutability,
            "inputs": [{"name": n, "type": t} for n, t in inputs], "outputs": [{"name": "", "type": t} for t in outputs]}


def _view(name: str, inputs: list[tuple[str, str]], output: str) -> dict[str, Any]:
    return _fn(name, inputs, [output], "view")


_BATCH = [("targets", "address[]"), ("values", "uint256[]"), ("payloads", "bytes[]")]
_PROPOSAL = [("targets", "address[]"), ("values", "uint256[]"), ("calldatas", "bytes[]")]

# TimelockController
SCHEDULE = _fn("schedule", [("target", "address"), ("value", "uint256"), ("data", "bytes"), ("predecessor", "bytes32"),
                            ("salt", "bytes32"), ("delay", "uint256")])
SCHEDULE_BATCH = _fn("scheduleBatch", [*_BATCH, ("predecessor", "bytes32"), ("salt", "bytes32"), ("delay", "uint256")])
EXECUTE = _fn("execute", [("target", "address"), ("value", "uint256"), ("payload", "bytes"), ("predecessor", "bytes32"),
                          ("salt", "bytes32")], mutability="payable")
EXECUTE_BATCH = _fn("executeBatch", [*_BATCH, ("predecessor", "bytes32"), ("salt", "bytes32")], mutability="payable")
CANCEL = _fn("cancel", [("id", "bytes32")])
UPDATE_DELAY = _fn("updateDelay", [("newDelay", "uint256")])
GRANT_ROLE = _fn("grantRole", [("role", "bytes32"), ("account", "address")])
REVOKE_ROLE = _fn("revokeRole", [("role", "bytes32"), ("account", "address")])
RENOUNCE_ROLE = _fn("renounceRole", [("role", "bytes32"), ("account", "address")])
GET_MIN_DELAY = _view("getMinDelay", [], "uint256")
GET_TIMESTAMP = _view("getTimestamp", [("id", "bytes32")], "uint256")
GET_OPERATION_STATE = _view("getOperationState", [("id", "bytes32")], "uint8")  # 5.x only
HAS_ROLE = _view("hasRole", [("role", "bytes32"), ("account", "address")], "bool")
GET_ROLE_ADMIN = _view("getRoleAdmin", [("role", "bytes32")], "bytes32")
HASH_OPERATION_BATCH = _fn("hashOperationBatch", [*_BATCH, ("predecessor", "bytes32"), ("salt", "bytes32")], ["bytes32"], "pure")
TIMELOCK_ABI = [SCHEDULE, SCHEDULE_BATCH, EXECUTE, EXECUTE_BATCH, CANCEL, UPDATE_DELAY, GRANT_ROLE, REVOKE_ROLE,
                RENOUNCE_ROLE, GET_MIN_DELAY, GET_TIMESTAMP, GET_OPERATION_STATE, HAS_ROLE, HASH_OPERATION_BATCH]

# Governor (+ GovernorTimelockControl, GovernorVotes)
PROPOSE = _fn("propose", [*_PROPOSAL, ("description", "string")], ["uint256"])
QUEUE = _fn("queue", [*_PROPOSAL, ("descriptionHash", "bytes32")], ["uint256"])
GOVERNOR_EXECUTE = _fn("execute", [*_PROPOSAL, ("descriptionHash", "bytes32")], ["uint256"], "payable")
GOVERNOR_CANCEL = _fn("cancel", [*_PROPOSAL, ("descriptionHash", "bytes32")], ["uint256"])
CAST_VOTE = _fn("castVote", [("proposalId", "uint256"), ("support", "uint8")], ["uint256"])
STATE = _view("state", [("proposalId", "uint256")], "uint8")
PROPOSAL_SNAPSHOT = _view("proposalSnapshot", [("proposalId", "uint256")], "uint256")
PROPOSAL_DEADLINE = _view("proposalDeadline", [("proposalId", "uint256")], "uint256")
PROPOSAL_ETA = _view("proposalEta", [("proposalId", "uint256")], "uint256")
PROPOSAL_NEEDS_QUEUING = _view("proposalNeedsQueuing", [("proposalId", "uint256")], "bool")  # 5.x only
TIMELOCK = _view("timelock", [], "address")
TOKEN = _view("token", [], "address")
NAME = _view("name", [], "string")
VOTING_DELAY = _view("votingDelay", [], "uint256")
VOTING_PERIOD = _view("votingPeriod", [], "uint256")
QUORUM = _view("quorum", [("timepoint", "uint256")], "uint256")
CLOCK = _view("clock", [], "uint48")
CLOCK_MODE = _view("CLOCK_MODE", [], "string")
GOVERNOR_ABI = [PROPOSE, QUEUE, GOVERNOR_EXECUTE, GOVERNOR_CANCEL, CAST_VOTE, STATE, PROPOSAL_SNAPSHOT, PROPOSAL_DEADLINE,
                PROPOSAL_ETA, PROPOSAL_NEEDS_QUEUING, TIMELOCK, TOKEN, NAME, VOTING_DELAY, VOTING_PERIOD, QUORUM, CLOCK, CLOCK_MODE]

# ERC20Votes (the Governor's token)
GET_VOTES = _view("getVotes", [("account", "address")], "uint256")
GET_PAST_VOTES = _view("getPastVotes", [("account", "address"), ("timepoint", "uint256")], "uint256")


def role(name: str) -> bytes:
    """``keccak256("PROPOSER_ROLE")`` etc., as TimelockController declares its roles."""
    return keccak(name.encode())


PROPOSER_ROLE, CANCELLER_ROLE, EXECUTOR_ROLE = role("PROPOSER_ROLE"), role("CANCELLER_ROLE"), role("EXECUTOR_ROLE")
DEFAULT_ADMIN_ROLE = bytes(32)
TIMELOCK_ADMIN_ROLE = role("TIMELOCK_ADMIN_ROLE")  # 4.9's admin of every role (5.x: DEFAULT_ADMIN_ROLE)
ROLE_NAMES = {PROPOSER_ROLE: "PROPOSER_ROLE", CANCELLER_ROLE: "CANCELLER_ROLE", EXECUTOR_ROLE: "EXECUTOR_ROLE",
              DEFAULT_ADMIN_ROLE: "DEFAULT_ADMIN_ROLE", TIMELOCK_ADMIN_ROLE: "TIMELOCK_ADMIN_ROLE"}


# Events, by topic0 (TimelockController, AccessControl, IGovernor)
CALL_SCHEDULED = topic("CallScheduled(bytes32,uint256,address,uint256,bytes,bytes32,uint256)")
CALL_EXECUTED = topic("CallExecuted(bytes32,uint256,address,uint256,bytes)")
CALL_SALT = topic("CallSalt(bytes32,bytes32)")
CANCELLED = topic("Cancelled(bytes32)")
MIN_DELAY_CHANGE = topic("MinDelayChange(uint256,uint256)")
ROLE_GRANTED = topic("RoleGranted(bytes32,address,address)")
ROLE_REVOKED = topic("RoleRevoked(bytes32,address,address)")
PROPOSAL_CREATED = topic("ProposalCreated(uint256,address,address[],uint256[],string[],bytes[],uint256,uint256,string)")
PROPOSAL_QUEUED = topic("ProposalQueued(uint256,uint256)")
PROPOSAL_EXECUTED = topic("ProposalExecuted(uint256)")
PROPOSAL_CANCELED = topic("ProposalCanceled(uint256)")
PROPOSAL_CREATED_TYPES = ["uint256", "address", "address[]", "uint256[]", "string[]", "bytes[]", "uint256", "uint256", "string"]
CALL_SCHEDULED_DATA_TYPES = ["address", "uint256", "bytes", "bytes32", "uint256"]  # after the two indexed topics


def _error(name: str, inputs: list[tuple[str, str]]) -> dict[str, Any]:
    return {"type": "error", "name": name, "inputs": [{"name": n, "type": t} for n, t in inputs]}


# The custom errors of 5.x (4.9 reverts with strings, which need no ABI): AccessControl,
# TimelockController, Governor, for revert reasons a signer can read (``sim.reasons.errors_from``).
ERRORS = [
    _error("AccessControlUnauthorizedAccount", [("account", "address"), ("neededRole", "bytes32")]),
    _error("TimelockInvalidOperationLength", [("targets", "uint256"), ("payloads", "uint256"), ("values", "uint256")]),
    _error("TimelockInsufficientDelay", [("delay", "uint256"), ("minDelay", "uint256")]),
    _error("TimelockUnexpectedOperationState", [("operationId", "bytes32"), ("expectedStates", "bytes32")]),
    _error("TimelockUnexecutedPredecessor", [("predecessorId", "bytes32")]),
    _error("TimelockUnauthorizedCaller", [("caller", "address")]),
    _error("GovernorNonexistentProposal", [("proposalId", "uint256")]),
    _error("GovernorUnexpectedProposalState", [("proposalId", "uint256"), ("current", "uint8"), ("expectedStates", "bytes32")]),
    _error("GovernorInsufficientProposerVotes", [("proposer", "address"), ("votes", "uint256"), ("threshold", "uint256")]),
    _error("GovernorRestrictedProposer", [("proposer", "address")]),
]


def _event(name: str, inputs: list[tuple[str, str, bool]]) -> dict[str, Any]:
    return {"type": "event", "name": name, "anonymous": False,
            "inputs": [{"name": n, "type": t, "indexed": i} for n, t, i in inputs]}


# The same events as ABI entries, so that a review decodes what the Timelock and Governor log
# although the build need not contain them (a Timelock from lib/ that nothing in src imports).
# Indexed as declared in TimelockController.sol, IAccessControl.sol and IGovernor.sol of
# OpenZeppelin Contracts 5.7.0 (4.9.6 declares them alike; ProposalQueued is 5.x's).
EVENTS = [
    _event("CallScheduled", [("id", "bytes32", True), ("index", "uint256", True), ("target", "address", False),
                             ("value", "uint256", False), ("data", "bytes", False), ("predecessor", "bytes32", False),
                             ("delay", "uint256", False)]),
    _event("CallExecuted", [("id", "bytes32", True), ("index", "uint256", True), ("target", "address", False),
                            ("value", "uint256", False), ("data", "bytes", False)]),
    _event("CallSalt", [("id", "bytes32", True), ("salt", "bytes32", False)]),
    _event("Cancelled", [("id", "bytes32", True)]),
    _event("MinDelayChange", [("oldDuration", "uint256", False), ("newDuration", "uint256", False)]),
    _event("RoleGranted", [("role", "bytes32", True), ("account", "address", True), ("sender", "address", True)]),
    _event("RoleRevoked", [("role", "bytes32", True), ("account", "address", True), ("sender", "address", True)]),
    _event("ProposalCreated", [("proposalId", "uint256", False), ("proposer", "address", False), ("targets", "address[]", False),
                               ("values", "uint256[]", False), ("signatures", "string[]", False), ("calldatas", "bytes[]", False),
                               ("voteStart", "uint256", False), ("voteEnd", "uint256", False), ("description", "string", False)]),
    _event("ProposalQueued", [("proposalId", "uint256", False), ("etaSeconds", "uint256", False)]),
    _event("ProposalExecuted", [("proposalId", "uint256", False)]),
    _event("ProposalCanceled", [("proposalId", "uint256", False)]),
]
