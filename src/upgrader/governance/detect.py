"""Which chain of authority governs a set of proxies, read from the chain itself: the owner of
each proxy, ProxyAdmin or beacon (``ProxyRecord.governor``); when that owner is a
``TimelockController`` (``getMinDelay``, ``hasRole``), its proposers (``RoleGranted`` events,
checked with ``hasRole``): a Safe among them makes ``safe → timelock``; a Governor whose
``timelock()`` is this Timelock makes ``safe → governor → timelock`` (the Safe that proposes to
it is named with ``--safe``: nothing on chain says which holder proposes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from eth_utils import to_checksum_address

from upgrader.errors import InputError
from upgrader.governance import abi
from upgrader.governance.base import view
from upgrader.governance.governor import governor_of, read_governor
from upgrader.governance.timelock import is_timelock, read_timelock, role_members
from upgrader.manifest.governance import GovernanceRecord, TimelockRecord

if TYPE_CHECKING:
    from web3 import Web3


@dataclass(frozen=True)
class Authority:
    record: GovernanceRecord | None  # None: no Timelock in the way (the Safe, or someone else, owns them)
    safe: str | None = None  # the Safe that proposes, when the chain names it
    notes: list[str] = field(default_factory=list)


_THRESHOLD = {"type": "function", "name": "getThreshold", "stateMutability": "view", "inputs": [],
              "outputs": [{"name": "", "type": "uint256"}]}  # Safe's OwnerManager


def _is_safe(w3: "Web3", address: str) -> bool:
    return bool(w3.eth.get_code(to_checksum_address(address))) and bool(view(w3, address, _THRESHOLD))


def detect(w3: "Web3", governors: set[str], safe: str | None = None) -> Authority:
    """The chain behind the proxies' ``governors`` (their owners), ``safe`` the one given with --safe."""
    timelocks = sorted({to_checksum_address(g) for g in governors if is_timelock(w3, g)})
    if not timelocks:
        return Authority(None)
    if len(timelocks) > 1:
        raise InputError(f"these proxies are owned by {len(timelocks)} Timelocks ({', '.join(timelocks)}); "
                         "import each Timelock's proxies separately")
    timelock = timelocks[0]
    given = [to_checksum_address(safe)] if safe else []
    proposers = role_members(w3, timelock, abi.PROPOSER_ROLE, given)
    safes = [p for p in proposers if _is_safe(w3, p)]
    governors_found = [p for p in proposers if governor_of(w3, p, timelock)]
    if given and given[0] in safes:
        return _timelock_chain(w3, timelock, given[0])
    if given and governors_found:
        return _governor_chain(w3, timelock, governors_found[0], given[0])
    if given:
        raise InputError(f"--safe {given[0]} is not a proposer of the Timelock {timelock}, and no Governor proposes to it; "
                         "grant the Safe PROPOSER_ROLE or pass the Safe that proposes")
    if len(safes) == 1:
        return _timelock_chain(w3, timelock, safes[0])
    if len(safes) > 1:
        raise InputError(f"the Timelock {timelock} has {len(safes)} Safes as proposers ({', '.join(safes)}); choose one with --safe")
    if governors_found:
        raise InputError(f"the Timelock {timelock} takes proposals from the Governor {governors_found[0]}; "
                         "pass the Safe that proposes to it with --safe")
    raise InputError(f"the proxies are owned by the Timelock {timelock}, but no Safe or Governor is its proposer; "
                     "pass the Safe that proposes with --safe")


def _timelock_chain(w3: "Web3", timelock: str, safe: str) -> Authority:
    record = read_timelock(w3, timelock, [safe])
    notes = [] if safe in record.cancellers else [f"the Safe {safe} cannot cancel operations of the Timelock {timelock} "
                                                   "(it lacks CANCELLER_ROLE)"]
    if not record.executor_open and safe not in record.executors:
        notes.append(f"only {', '.join(record.executors)} may execute operations of the Timelock {timelock} (EXECUTOR_ROLE): "
                     "the second leg is `upgrader execute <operation id> --sender <one of them>`" if record.executors else
                     f"neither anyone nor the Safe may execute operations of the Timelock {timelock}, and no executor is known: "
                     "upgrader cannot run the second leg")
    return Authority(GovernanceRecord(kind="timelock", timelock=record), safe, notes + _around(w3, record, {safe}))


def _around(w3: "Web3", record: TimelockRecord, chain: set[str]) -> list[str]:
    """Who else can act on the Timelock than the recorded chain: other proposers (they schedule
    without the Safe) and holders of its admin role other than the Timelock itself (they grant
    and revoke roles at once: AccessControl's ``grantRole`` waits for no delay). gwalen/
    erc20_swapper_task@a10c00f leaves its deployer both after the team made its Safe a proposer."""
    admin_role = view(w3, record.address, abi.GET_ROLE_ADMIN, abi.PROPOSER_ROLE)
    admins = [a for a in role_members(w3, record.address, bytes(admin_role)) if a != record.address] if admin_role is not None else []
    name = abi.ROLE_NAMES.get(bytes(admin_role or b""), "its admin role")
    return ([f"{p} also holds PROPOSER_ROLE on the Timelock {record.address}: it can schedule calls (upgrades of these "
             "proxies included) without the Safe" for p in record.proposers if p not in chain]
            + [f"{a} holds {name} on the Timelock {record.address}: it can grant and revoke the Timelock's roles at once, "
               "without the delay" for a in admins])


def _governor_chain(w3: "Web3", timelock: str, governor: str, safe: str) -> Authority:
    record = read_timelock(w3, timelock, [governor, safe])
    gov = read_governor(w3, governor)
    notes = []
    votes = view(w3, gov.token, abi.GET_VOTES, safe) if gov.token else None
    if votes == 0:
        notes.append(f"the Safe {safe} has no votes in {gov.name}'s token {gov.token}; a proposal threshold above 0 refuses its proposals")
    return Authority(GovernanceRecord(kind="governor", timelock=record, governor=gov), safe, notes + _around(w3, record, {governor}))
