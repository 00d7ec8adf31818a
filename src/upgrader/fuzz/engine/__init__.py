"""The seam between the fuzzer and an EVM: one fork of the chain that runs transactions in
blocks of its own, reads state, and rolls back to a snapshot.

Two engines implement it: ``anvil.AnvilEngine`` (JSON-RPC to an Anvil fork: the reference)
and ``revm.RevmEngine`` (pyrevm in process, forked from that Anvil: the hot loop, allowed
only because ``tests/fuzz_upgrade/test_engines_agree.py`` shows it gives Anvil's results).

Both run every transaction in a block of its own, numbered one past the last, 12 seconds
later, at a zero base fee and gas price, so that two forks (and two engines) that run the same
transactions see the same block numbers and times and no balance moves for gas."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

GAS = 10_000_000  # per fuzz transaction and view
BLOCK_TIME = 12


@dataclass(frozen=True)
class Log:
    address: str  # checksummed
    topics: tuple[bytes, ...]
    data: bytes


@dataclass(frozen=True)
class Outcome:
    """What a call did: ``ok`` with its return data, or a revert with its revert data; a halt
    (out of gas, invalid opcode) is not ok, with empty data and ``halt`` set."""

    ok: bool
    data: bytes
    logs: tuple[Log, ...] = ()
    halt: bool = False

    def same_result(self, other: "Outcome") -> bool:
        return self.ok == other.ok and self.data == other.data and self.halt == other.halt


class Engine(Protocol):
    name: str
    chain_id: int

    def transact(self, sender: str, to: str, data: bytes, value: int = 0) -> Outcome: ...
    def views(self, calls: list[tuple[str, bytes]]) -> list[Outcome]: ...
    def storage(self, address: str, slot: int) -> int: ...
    def balance(self, address: str) -> int: ...
    def code(self, address: str) -> bytes: ...
    def block(self) -> tuple[int, int]: ...  # (number, timestamp) of the last block
    def mine(self, blocks: int) -> None: ...
    def fund(self, address: str, wei: int) -> None: ...  # set-up only, before the base snapshot
    def snapshot(self) -> Any: ...
    def revert(self, snap: Any) -> None: ...  # back to ``snap``, which stays usable
    def web3(self) -> Any: ...  # a Web3 on this engine, for sim.runner
    def close(self) -> None: ...


def view(engine: Engine, to: str, data: bytes) -> Outcome:
    return engine.views([(to, data)])[0]


def word(value: int) -> bytes:
    return value.to_bytes(32, "big")


@lru_cache(maxsize=8192)
def checksummed(address: str) -> str:
    """``to_checksum_address``, remembered: the same few addresses recur in every example's
    logs and results, and checksumming hashes each time (a tenth of the hot loop uncached)."""
    from eth_utils import to_checksum_address

    return to_checksum_address(address)
