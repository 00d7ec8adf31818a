"""When and by which transaction a contract was created, read from the chain.

The block is the first one at whose end the address has code (a binary search over
``eth_getCode`` at past blocks: about log2(head) calls, on any node that keeps the state of
old blocks). The transaction is the one in that block whose receipt created the address:
``contractAddress`` for a top-level CREATE, otherwise the first transaction of the block that
logged from the address (an OpenZeppelin proxy logs ``Upgraded``/``AdminChanged``/
``BeaconUpgraded`` in its constructor). A transaction hash from a file (a forge broadcast, an
OpenZeppelin manifest) is believed only when its receipt is found to have created the
address: forge's broadcast can pair a hash with another transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eth_utils import to_checksum_address

if TYPE_CHECKING:
    from web3 import Web3


@dataclass(frozen=True)
class Creation:
    block: int
    tx: str | None  # None: the block is known, the transaction could not be told


def _has_code(w3: "Web3", address: str, block: int) -> bool:
    return bool(w3.eth.get_code(address, block_identifier=block))


def creation_block(w3: "Web3", address: str, head: int | None = None) -> int | None:
    """The first block with code at ``address``; None when the node cannot answer for past
    blocks (it keeps no old state) or the address has no code."""
    address = to_checksum_address(address)
    high = int(w3.eth.block_number) if head is None else head
    try:
        if not _has_code(w3, address, high):
            return None
        if _has_code(w3, address, 0):
            return 0
        low = 0  # no code at `low`, code at `high`
        while high - low > 1:
            mid = (low + high) // 2
            low, high = (low, mid) if _has_code(w3, address, mid) else (mid, high)
    except Exception:  # a pruned node refuses old state ("missing trie node", "header not found")
        return None
    return high


def _hex(value: Any) -> str:
    return value if isinstance(value, str) else "0x" + bytes(value).hex()


def _receipt(w3: "Web3", tx: str) -> Any:
    try:
        return w3.eth.get_transaction_receipt(tx)
    except Exception:  # unknown transaction (web3's TransactionNotFound), or a bad hash
        return None


def created_by(w3: "Web3", address: str, tx: str) -> int | None:
    """The block of ``tx`` when its receipt created ``address``, else None."""
    receipt = _receipt(w3, tx)
    if receipt is None or int(receipt.get("status", 1)) != 1:
        return None
    block = int(receipt["blockNumber"])
    made = receipt.get("contractAddress")
    if made and to_checksum_address(made) == to_checksum_address(address):
        return block
    logged = any(to_checksum_address(log["address"]) == to_checksum_address(address) for log in receipt.get("logs") or [])
    if not logged:
        return None
    # it logged from the address: it created it when the address is new in this block and this is
    # the block's first transaction to log from it
    try:
        fresh = block == 0 or not _has_code(w3, to_checksum_address(address), block - 1)
    except Exception:
        return None
    return block if fresh and str(creating_tx(w3, address, block)).lower() == tx.lower() else None


def creating_tx(w3: "Web3", address: str, block: int) -> str | None:
    """The transaction of ``block`` that created ``address``."""
    address = to_checksum_address(address)
    logs = w3.eth.get_logs({"address": address, "fromBlock": block, "toBlock": block})
    for log in sorted(logs, key=lambda lg: (int(lg["transactionIndex"]), int(lg["logIndex"]))):
        return _hex(log["transactionHash"])
    for tx in w3.eth.get_block(block, full_transactions=True)["transactions"]:
        if tx.get("to") is None:
            receipt = _receipt(w3, _hex(tx["hash"]))
            if receipt is not None and receipt.get("contractAddress") and to_checksum_address(receipt["contractAddress"]) == address:
                return _hex(tx["hash"])
    return None


def find_creation(w3: "Web3", address: str, claimed_tx: str | None = None) -> tuple[Creation | None, str | None]:
    """The creation of ``address`` and, when ``claimed_tx`` is not it, a note saying so."""
    if claimed_tx:
        block = created_by(w3, address, claimed_tx)
        if block is not None:
            return Creation(block, claimed_tx), None
    block = creation_block(w3, address)
    found = Creation(block, creating_tx(w3, address, block)) if block is not None else None
    if not claimed_tx:
        return found, None
    instead = f"; recorded {found.tx} (block {found.block}), which did" if found and found.tx else ""
    return found, f"the file pairs {to_checksum_address(address)} with transaction {claimed_tx}, which did not create it{instead}"


def construction_events(w3: "Web3", manifest: Any) -> Callable[[Any], bool]:
    """Whether an event was logged by its contract's constructor (an OpenZeppelin proxy logs
    Upgraded/AdminChanged/BeaconUpgraded while it is created): never an upgrade to report. The
    proxy's recorded creating transaction says so at once; for a beacon or another proxy of it,
    the chain is asked whether that transaction created the address (``created_by``)."""
    known = {(p.address.lower(), p.deploy_tx.lower()) for p in manifest.proxies if p.deploy_tx}
    asked: dict[tuple[str, str], bool] = {}

    def constructed(ev: Any) -> bool:
        key = (ev.address.lower(), ev.tx.lower())
        if key in known:
            return True
        if key not in asked:
            asked[key] = created_by(w3, ev.address, ev.tx) is not None
        return asked[key]

    return constructed


def creation_input(w3: "Web3", address: str) -> bytes | None:
    """The init code (constructor arguments included) of ``address`` when an account created it
    with a top-level CREATE transaction (``to`` empty: how hardhat-upgrades and forge deploy an
    implementation); None when a contract created it, or the chain cannot tell."""
    found, _ = find_creation(w3, address)
    if found is None or found.tx is None:
        return None
    receipt, tx = _receipt(w3, found.tx), w3.eth.get_transaction(found.tx)
    created = (receipt or {}).get("contractAddress")
    if tx.get("to") or not created or to_checksum_address(created) != to_checksum_address(address):
        return None
    return bytes.fromhex(_hex(tx["input"])[2:])
