"""The in-process engine: pyrevm 0.3.7 (revm 8) forked over JSON-RPC from the Anvil fork, so
each cold account or slot is read once from Anvil and everything after runs in process.

What it does to behave as the Anvil it forks (TOOLCHAIN.md, "An in-process EVM"):
- the chain id is set (pyrevm's default is 1, under which a Safe reverts GS026);
- every transaction runs in a block one past the last, 12 s later (``set_block_env``), views
  at the last block, as ``AnvilEngine`` and ``eth_call`` at ``latest`` do;
- transient storage is reset after each transaction (pyrevm keeps it otherwise);
- balances are set only during set-up (``fund``): pyrevm's ``set_balance`` on a loaded
  account survives a revert;
- views run as ordinary calls inside a checkpoint that is reverted, like ``eth_call`` (a
  static call would refuse a "view" that writes and restores);
- revert data comes only in the exception text (``Revert { gas_used: .., output: 0x.. }``);
  halts are ``Halt { reason: .., .. }``.
A caller with code is refused by revm (EIP-3607): the fuzzer only sends from accounts
without code, and ``sim.runner`` sends from owners and a codeless executor."""

from __future__ import annotations

import re
from typing import Any

from upgrader.constants import ZERO_ADDRESS
from upgrader.fuzz.engine import BLOCK_TIME, GAS, Log, Outcome, checksummed

_REVERT = re.compile(r"Revert \{ gas_used: \d+, output: 0x([0-9a-fA-F]*) \}")


def _failure(exc: Exception) -> Outcome:
    text = str(exc)
    found = _REVERT.search(text)
    if found:
        return Outcome(False, bytes.fromhex(found.group(1)))
    if "Halt" in text:
        return Outcome(False, b"", halt=True)
    raise exc  # not an EVM outcome (a lost fork, a bad argument): the caller's problem


class RevmEngine:
    name = "revm"

    def __init__(self, fork_url: str, block: int, timestamp: int, chain_id: int) -> None:
        from pyrevm import EVM, BlockEnv, CfgEnv, Env

        self._BlockEnv = BlockEnv
        self.chain_id = chain_id
        self.number, self.timestamp = block, timestamp
        env = Env(cfg=CfgEnv(chain_id=chain_id), block=self._block_env())
        self.evm = EVM(env=env, fork_url=fork_url, fork_block=hex(block), spec_id="CANCUN")
        self._w3: Any = None

    def _block_env(self) -> Any:
        return self._BlockEnv(number=self.number, timestamp=self.timestamp, basefee=0, gas_limit=30_000_000,
                              coinbase=ZERO_ADDRESS, prevrandao=bytes(32))

    def transact(self, sender: str, to: str, data: bytes, value: int = 0) -> Outcome:
        self.number += 1
        self.timestamp += BLOCK_TIME
        self.evm.set_block_env(self._block_env())
        try:
            output = bytes(self.evm.message_call(sender, to, data, value, gas=GAS))
        except RuntimeError as exc:
            return _failure(exc)
        finally:
            self.evm.reset_transient_storage()
        logs = tuple(Log(checksummed(log.address), tuple(bytes(t) for t in log.data[0]), bytes(log.data[1]))
                     for log in self.evm.result.logs)
        return Outcome(True, output, logs)

    def views(self, calls: list[tuple[str, bytes]]) -> list[Outcome]:
        return [self.call(ZERO_ADDRESS, to, data) for to, data in calls]

    def call(self, sender: str, to: str, data: bytes, value: int = 0) -> Outcome:
        """What ``eth_call`` at the last block answers: the call runs, then is undone."""
        checkpoint = self.evm.snapshot()
        try:
            return Outcome(True, bytes(self.evm.message_call(sender, to, data, value, gas=GAS)))
        except RuntimeError as exc:
            return _failure(exc)
        finally:
            self.evm.revert(checkpoint)
            self.evm.reset_transient_storage()

    def storage(self, address: str, slot: int) -> int:
        return int(self.evm.storage(address, slot))

    def balance(self, address: str) -> int:
        return int(self.evm.get_balance(address))

    def code(self, address: str) -> bytes:
        """The account's code; revm pads analysed code with zero bytes, so only emptiness and
        the leading bytes are exact (all the fuzzer asks: has it code?)."""
        code = bytes(self.evm.get_code(address) or b"")
        return b"" if not code.strip(b"\0") else code

    def block(self) -> tuple[int, int]:
        return self.number, self.timestamp

    def mine(self, blocks: int) -> None:
        self.number += blocks
        self.timestamp += BLOCK_TIME * blocks
        self.evm.set_block_env(self._block_env())

    def fund(self, address: str, wei: int) -> None:
        self.evm.set_balance(address, wei)

    def snapshot(self) -> Any:
        return (self.evm.snapshot(), self.number, self.timestamp)

    def revert(self, snap: Any) -> Any:
        checkpoint, self.number, self.timestamp = snap
        self.evm.revert(checkpoint)
        self.evm.reset_transient_storage()
        self.evm.set_block_env(self._block_env())
        return self.snapshot()

    def web3(self) -> Any:
        if self._w3 is None:
            from upgrader.fuzz.engine.revm_rpc import revm_web3

            self._w3 = revm_web3(self)
        return self._w3

    def close(self) -> None:
        self.evm = None
