"""Pure encodings of what a governance chain runs: a ``TimelockController`` batch operation
and a ``Governor`` proposal. No I/O; everything here is recomputed by review and checked
against the contracts themselves in tests (``hashOperationBatch``, ``hashProposal``).

Followed from OpenZeppelin Contracts 5.7.0 / 4.9.6 (OpenZeppelin/openzeppelin-contracts at
cab19933c33c2ad1d4c7a84864a3601dddfd16f3 / dc44c9f1a4c3b10af99492eed84f83ed244203f6, the files npm
ships as ``@openzeppelin/contracts`` and ``contracts-v4``):
- ``TimelockController.hashOperationBatch``: ``keccak256(abi.encode(targets, values, payloads,
  predecessor, salt))``;
- ``Governor.hashProposal``: ``uint256(keccak256(abi.encode(targets, values, calldatas,
  descriptionHash)))`` with ``descriptionHash = keccak256(bytes(description))``;
- ``GovernorTimelockControl._queueOperations`` schedules the proposal's batch with predecessor 0
  and salt ``bytes20(address(this)) ^ descriptionHash`` in 5.x (``_timelockSalt``), and salt
  ``descriptionHash`` in 4.9 (``queue``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils import to_checksum_address

from upgrader.governance import abi
from upgrader.keccak import keccak

ZERO32 = bytes(32)


def calldata(fragment: dict[str, Any], args: list[Any]) -> bytes:
    from eth_utils import function_abi_to_4byte_selector

    return function_abi_to_4byte_selector(fragment) + abi_encode([i["type"] for i in fragment["inputs"]], args)


def _b32(value: str | bytes) -> bytes:
    raw = bytes.fromhex(value[2:]) if isinstance(value, str) else bytes(value)
    if len(raw) != 32:
        raise ValueError(f"expected 32 bytes, got {len(raw)}")
    return raw


@dataclass(frozen=True)
class TimelockOperation:
    """One batch operation of a TimelockController: what ``scheduleBatch`` and ``executeBatch`` take."""

    targets: tuple[str, ...]
    values: tuple[int, ...]
    payloads: tuple[bytes, ...]
    predecessor: bytes = ZERO32
    salt: bytes = ZERO32

    def __post_init__(self) -> None:
        if not (len(self.targets) == len(self.values) == len(self.payloads)):
            raise ValueError("targets, values and payloads must have the same length")

    @classmethod
    def of_calls(cls, calls: list[dict[str, Any]], salt: bytes, predecessor: bytes = ZERO32) -> "TimelockOperation":
        """From plan calls (``to``, ``value``, ``data``)."""
        return cls(tuple(to_checksum_address(c["to"]) for c in calls), tuple(int(c["value"]) for c in calls),
                   tuple(bytes.fromhex(c["data"][2:]) for c in calls), predecessor, salt)

    def _args(self) -> list[Any]:
        return [list(self.targets), list(self.values), list(self.payloads), self.predecessor, self.salt]

    @property
    def id(self) -> bytes:
        """``hashOperationBatch(targets, values, payloads, predecessor, salt)``."""
        return keccak(abi_encode(["address[]", "uint256[]", "bytes[]", "bytes32", "bytes32"], self._args()))

    def schedule_data(self, delay: int) -> bytes:
        return calldata(abi.SCHEDULE_BATCH, [*self._args(), delay])

    def execute_data(self) -> bytes:
        return calldata(abi.EXECUTE_BATCH, self._args())

    def to_json(self) -> dict[str, Any]:
        return {"targets": list(self.targets), "values": [str(v) for v in self.values],
                "payloads": ["0x" + p.hex() for p in self.payloads], "predecessor": "0x" + self.predecessor.hex(),
                "salt": "0x" + self.salt.hex(), "id": "0x" + self.id.hex()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "TimelockOperation":
        return cls(tuple(to_checksum_address(t) for t in data["targets"]), tuple(int(v) for v in data["values"]),
                   tuple(bytes.fromhex(p[2:]) for p in data["payloads"]), _b32(data["predecessor"]), _b32(data["salt"]))


def single_operation_id(target: str, value: int, data: bytes, predecessor: bytes, salt: bytes) -> bytes:
    """``hashOperation(target, value, data, predecessor, salt)`` (a ``schedule`` of one call)."""
    return keccak(abi_encode(["address", "uint256", "bytes", "bytes32", "bytes32"],
                             [to_checksum_address(target), value, data, predecessor, salt]))


@dataclass(frozen=True)
class GovernorProposal:
    """A Governor proposal: ``propose(targets, values, calldatas, description)``."""

    targets: tuple[str, ...]
    values: tuple[int, ...]
    calldatas: tuple[bytes, ...]
    description: str

    @classmethod
    def of_calls(cls, calls: list[dict[str, Any]], description: str) -> "GovernorProposal":
        return cls(tuple(to_checksum_address(c["to"]) for c in calls), tuple(int(c["value"]) for c in calls),
                   tuple(bytes.fromhex(c["data"][2:]) for c in calls), description)

    @property
    def description_hash(self) -> bytes:
        return keccak(self.description.encode())

    @property
    def id(self) -> int:
        """``hashProposal(targets, values, calldatas, keccak256(bytes(description)))``."""
        return proposal_id(self.targets, self.values, self.calldatas, self.description_hash)

    def _lists(self) -> list[Any]:
        return [list(self.targets), list(self.values), list(self.calldatas)]

    def timelock_salt(self, governor: str, oz_version: str) -> bytes:
        return governor_salt(governor, oz_version, self.description_hash)

    def timelock_operation(self, governor: str, oz_version: str) -> TimelockOperation:
        return TimelockOperation(self.targets, self.values, self.calldatas, ZERO32, self.timelock_salt(governor, oz_version))

    def propose_data(self) -> bytes:
        return calldata(abi.PROPOSE, [*self._lists(), self.description])

    def queue_data(self) -> bytes:
        return calldata(abi.QUEUE, [*self._lists(), self.description_hash])

    def execute_data(self) -> bytes:
        return calldata(abi.GOVERNOR_EXECUTE, [*self._lists(), self.description_hash])

    def to_json(self) -> dict[str, Any]:
        return {"targets": list(self.targets), "values": [str(v) for v in self.values],
                "calldatas": ["0x" + c.hex() for c in self.calldatas], "description": self.description,
                "description_hash": "0x" + self.description_hash.hex(), "id": str(self.id)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "GovernorProposal":
        return cls(tuple(to_checksum_address(t) for t in data["targets"]), tuple(int(v) for v in data["values"]),
                   tuple(bytes.fromhex(c[2:]) for c in data["calldatas"]), data["description"])


def proposal_id(targets: tuple[str, ...], values: tuple[int, ...], calldatas: tuple[bytes, ...], description_hash: bytes) -> int:
    return int.from_bytes(keccak(abi_encode(["address[]", "uint256[]", "bytes[]", "bytes32"],
                                            [list(targets), list(values), list(calldatas), description_hash])), "big")


def governor_salt(governor: str, oz_version: str, description_hash: bytes) -> bytes:
    """The salt GovernorTimelockControl schedules a proposal's batch with."""
    if oz_version == "4":
        return description_hash
    prefix = bytes.fromhex(governor[2:]).ljust(32, b"\0")  # bytes20(address(this)), left-aligned in a bytes32
    return bytes(a ^ b for a, b in zip(prefix, description_hash))
