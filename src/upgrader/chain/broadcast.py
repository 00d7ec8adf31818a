"""Send a transaction from an account whose key is here (not unlocked on the node): EIP-1559
fees from the node, gas estimated with a margin, the nonce from the pending state; one signed
payload per account nonce, re-sent as the very same bytes when it disappears, replaced (same
nonce, higher fees) only when asked."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from upgrader.errors import InputError

if TYPE_CHECKING:
    from web3 import Web3

GAS_MARGIN = 1.25  # estimate x margin: state can move between estimate and inclusion
REPLACE_BUMP = 1.25  # nodes want >= +10 % on both fee fields to replace; ask for more
DEFAULT_PRIORITY_WEI = 1_000_000_000


class TxSigner(Protocol):
    @property
    def address(self) -> str: ...

    def sign_transaction(self, tx: dict[str, Any]) -> bytes: ...


@dataclass(frozen=True)
class Fees:
    max_fee: int
    priority: int

    def bumped(self) -> Fees:
        return Fees(int(self.max_fee * REPLACE_BUMP) + 1, int(self.priority * REPLACE_BUMP) + 1)


def node_fees(w3: "Web3") -> Fees:
    base = int(w3.eth.get_block("latest").get("baseFeePerGas") or 0)
    try:
        priority = int(w3.eth.max_priority_fee)
    except Exception:  # nodes without eth_maxPriorityFeePerGas
        priority = DEFAULT_PRIORITY_WEI
    return Fees(max_fee=2 * base + priority, priority=priority)


def build(w3: "Web3", sender: str, to: str, data: bytes, nonce: int | None = None, fees: Fees | None = None,
          gas: int | None = None) -> dict[str, Any]:
    from eth_utils import to_checksum_address

    call = {"from": to_checksum_address(sender), "to": to_checksum_address(to), "data": "0x" + data.hex(), "value": 0}
    if gas is None:
        try:
            gas = int(int(w3.eth.estimate_gas(call)) * GAS_MARGIN)
        except InputError:
            raise
        except Exception as exc:
            raise InputError(f"the transaction would revert (gas estimation failed: {type(exc).__name__}); "
                             "check that the Safe transaction can execute") from None
    fees = fees or node_fees(w3)
    return {
        "chainId": int(w3.eth.chain_id), "type": 2,
        "nonce": int(w3.eth.get_transaction_count(call["from"], "pending")) if nonce is None else nonce,
        "to": call["to"], "value": 0, "data": call["data"], "gas": gas,
        "maxFeePerGas": fees.max_fee, "maxPriorityFeePerGas": fees.priority,
    }


def tx_hash_of(raw: bytes) -> str:
    from upgrader.keccak import keccak

    return "0x" + keccak(raw).hex()


def send_raw(w3: "Web3", raw: bytes) -> str:
    """Broadcast ``raw``; a node that already has it is fine. The hash, computed here."""
    h = tx_hash_of(raw)
    reply = w3.provider.make_request("eth_sendRawTransaction", ["0x" + raw.hex()])
    error = reply.get("error") if isinstance(reply, dict) else None
    if error:
        message = str(error.get("message", error))
        if any(k in message.lower() for k in ("already known", "known transaction", "already imported")):
            return h
        raise InputError(f"the node refused the transaction: {message}")
    return h


def receipt_of(w3: "Web3", tx_hashes: list[str]) -> Any:
    for h in tx_hashes:
        try:
            r = w3.eth.get_transaction_receipt(h)
        except InputError:
            raise
        except Exception:  # TransactionNotFound
            continue
        if r is not None:
            return r
    return None


def known(w3: "Web3", tx_hash: str) -> bool:
    try:
        return w3.eth.get_transaction(tx_hash) is not None
    except InputError:
        raise
    except Exception:
        return False


def await_inclusion(w3: "Web3", raws: list[bytes], wait_s: float, poll_s: float = 0.5) -> Any:
    """The receipt of whichever of ``raws`` (same nonce) was included; the newest one is sent
    again, byte for byte, whenever the node no longer knows any of them. None after ``wait_s``."""
    hashes = [tx_hash_of(r) for r in raws]
    deadline = time.monotonic() + wait_s
    while True:
        receipt = receipt_of(w3, hashes)
        if receipt is not None:
            return receipt
        if time.monotonic() >= deadline:
            return None
        if not any(known(w3, h) for h in hashes):
            try:
                send_raw(w3, raws[-1])
            except InputError as exc:
                if "nonce too low" not in str(exc).lower():
                    raise
                # the nonce is used: by one of ours (an endpoint that has not seen it yet) or by
                # another transaction of the account; the receipt poll (or the deadline) decides
        time.sleep(poll_s)
