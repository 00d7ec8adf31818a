"""What `upgrader execute` does when it is not alone: another run (or another executor)
executing the same Safe transaction, and Ctrl-C arriving once execTransaction is sent.

- ``executed_in``: the transaction in which the Safe executed a safeTxHash (its
  ``ExecutionSuccess`` event), so the loser of a race names the winner's transaction.
- ``send_or_lost_race``: execTransaction; when it fails because the nonce was taken meanwhile
  (the Safe then reverts with GS026, its signatures no longer match), an ``InputError`` saying
  so instead of a revert traceback.
- ``interrupts_held``: SIGINT held from sending until the upgrade is recorded in the manifest,
  so an interrupted run never leaves the chain upgraded and the manifest not.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

from upgrader.errors import InputError, TransactionFailed, UnsafeError
from upgrader.keccak import keccak

EXECUTION_SUCCESS = "0x" + keccak(b"ExecutionSuccess(bytes32,uint256)").hex()
LOOKBACK_BLOCKS = 50_000


def executed_in(w3: Any, safe: str, safe_tx_hash: str) -> str | None:
    """The tx hash whose ExecutionSuccess names ``safe_tx_hash`` (indexed from Safe 1.4.1 on,
    in the data before), within the last ``LOOKBACK_BLOCKS`` blocks."""
    from eth_utils import to_checksum_address

    latest = int(w3.eth.block_number)
    logs = w3.eth.get_logs({"address": to_checksum_address(safe), "topics": [EXECUTION_SUCCESS],
                            "fromBlock": max(0, latest - LOOKBACK_BLOCKS), "toBlock": latest})
    want = bytes.fromhex(safe_tx_hash[2:].lower())
    for log in logs:
        topics, data = [bytes(t) for t in log["topics"]], bytes(log["data"])
        if (len(topics) > 1 and topics[1] == want) or data[:32] == want:
            return "0x" + bytes(log["transactionHash"]).hex()
    return None


def already_executed(w3: Any, safe: str, safe_tx_hash: str, nonce: int, onchain_nonce: int,
                     service_tx: str | None = None) -> InputError:
    """The error for a transaction whose nonce is used: by itself (name the transaction), or by another."""
    tx = executed_in(w3, safe, safe_tx_hash) or service_tx
    if tx:
        return InputError(f"{safe_tx_hash} was already executed in tx {tx} (nonce {nonce} is already used), "
                          "by another run or executor; nothing left to do")
    return InputError(f"{safe_tx_hash} cannot be executed: nonce {nonce} is already used by another transaction "
                      f"(on-chain nonce {onchain_nonce})")


def send_or_lost_race(send: Callable[[], Any], w3: Any, safe: str, safe_tx_hash: str, nonce: int,
                      read_nonce: Callable[[], int]) -> Any:
    """``send()`` (execTransaction); if it fails and the Safe's nonce has moved past ``nonce``,
    another executor won: say so (exit 2). Other failures are the subject's (exit 1)."""
    from web3.exceptions import ContractLogicError

    try:
        return send()
    except (TransactionFailed, ContractLogicError) as exc:
        current = read_nonce()
        if current > nonce:
            raise already_executed(w3, safe, safe_tx_hash, nonce, current) from None
        raise UnsafeError(f"execTransaction failed: {exc}") from None


class InterruptedAfterSending(KeyboardInterrupt):
    """A second Ctrl-C once execTransaction was sent: the chain may be upgraded and the manifest
    not yet; the message says what was sent and how to record it (exit 130)."""


class Sending:
    """What ``interrupts_held`` knows of the transaction: ``sent(tx)`` once it has a hash."""

    def __init__(self, safe_tx_hash: str) -> None:
        self.safe_tx_hash, self.tx = safe_tx_hash, None  # type: str, str | None

    def sent(self, tx: str) -> None:
        self.tx = tx if tx.startswith("0x") else "0x" + tx

    def message(self) -> str:
        what = f"sent as {self.tx}" if self.tx else "may have been sent"
        return (f"interrupted: the Safe transaction {self.safe_tx_hash} {what}; run `upgrader execute "
                f"{self.safe_tx_hash}` to record it")


@contextlib.contextmanager
def interrupts_held(safe_tx_hash: str = "") -> Iterator[Sending]:
    """Hold Ctrl-C (SIGINT) for the block: the first one is noted and the block finishes; a
    second one stops at once, saying what was sent and how to record it. Only the main thread
    can handle signals; elsewhere signals are not held."""
    sending = Sending(safe_tx_hash)
    if threading.current_thread() is not threading.main_thread():
        yield sending
        return
    seen: list[int] = []

    def note(signum: int, frame: Any) -> None:
        seen.append(signum)
        if len(seen) > 1:
            raise InterruptedAfterSending(sending.message())
        sys.stderr.write("interrupt: the Safe transaction is sent; recording it first (Ctrl-C again to stop now)\n")
        sys.stderr.flush()

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield sending
    finally:
        signal.signal(signal.SIGINT, previous)
