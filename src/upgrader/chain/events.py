"""One event reader for every command that looks back at the chain (``sync``, ``execute``'s
resume, a later ``watch``): ``eth_getLogs`` paged by block range, because hosted RPCs cap the
range (and the number of results) of one call; a page that is refused is halved and retried."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from upgrader.errors import InputError
from upgrader.keccak import keccak

if TYPE_CHECKING:
    from web3 import Web3

PAGE_BLOCKS = 2_000  # a range most hosted RPCs accept
MIN_PAGE_BLOCKS = 1


def topic(signature: str) -> str:
    return "0x" + keccak(signature.encode()).hex()


# ERC-1967 (OpenZeppelin IERC1967) and Safe (1.3.0 / 1.4.1) events, by topic0
UPGRADED = topic("Upgraded(address)")
ADMIN_CHANGED = topic("AdminChanged(address,address)")
BEACON_UPGRADED = topic("BeaconUpgraded(address)")
EXECUTION_SUCCESS = topic("ExecutionSuccess(bytes32,uint256)")
EXECUTION_FAILURE = topic("ExecutionFailure(bytes32,uint256)")
NAMES = {UPGRADED: "Upgraded", ADMIN_CHANGED: "AdminChanged", BEACON_UPGRADED: "BeaconUpgraded",
         EXECUTION_SUCCESS: "ExecutionSuccess", EXECUTION_FAILURE: "ExecutionFailure"}


@dataclass(frozen=True)
class Event:
    name: str
    address: str
    block: int
    tx: str
    log_index: int
    topics: tuple[str, ...]
    data: bytes

    def word(self, i: int) -> bytes:
        return self.data[32 * i: 32 * (i + 1)]

    def safe_tx_hash(self) -> str:
        """ExecutionSuccess/Failure's txHash: indexed in Safe 1.4.x, the first data word in 1.3.0."""
        return self.topics[1].lower() if len(self.topics) > 1 else "0x" + self.word(0).hex()

    def address_arg(self) -> str:
        """The one address of Upgraded/BeaconUpgraded (indexed) or AdminChanged's new admin (data)."""
        from eth_utils import to_checksum_address

        raw = bytes.fromhex(self.topics[1][2:]) if len(self.topics) > 1 else self.word(1 if self.name == "AdminChanged" else 0)
        return to_checksum_address(raw[-20:])


def _event(log: dict[str, Any]) -> Event:
    from eth_utils import to_checksum_address

    topics = tuple("0x" + bytes(t).hex() if not isinstance(t, str) else t for t in log["topics"])
    data = log["data"]
    data = bytes.fromhex(data[2:]) if isinstance(data, str) else bytes(data)
    tx = log["transactionHash"]
    tx = tx if isinstance(tx, str) else "0x" + bytes(tx).hex()
    return Event(NAMES.get(topics[0], topics[0]) if topics else "?", to_checksum_address(log["address"]),
                 int(log["blockNumber"]), tx if tx.startswith("0x") else "0x" + tx, int(log["logIndex"]), topics, data)


def read_events(w3: "Web3", addresses: Iterable[str], topics0: Iterable[str], from_block: int, to_block: int,
                page: int = PAGE_BLOCKS) -> Iterator[Event]:
    """Every log of ``addresses`` whose first topic is one of ``topics0``, oldest first."""
    from eth_utils import to_checksum_address

    addrs = [to_checksum_address(a) for a in addresses]
    wanted = list(topics0)
    start = from_block
    while start <= to_block:
        end = min(to_block, start + page - 1)
        try:
            logs = w3.eth.get_logs({"address": addrs, "topics": [wanted], "fromBlock": start, "toBlock": end})
        except InputError:
            raise
        except Exception as exc:  # "range too large", "query returned more than 10000 results", ...
            if page <= MIN_PAGE_BLOCKS:
                raise InputError(f"eth_getLogs refused even one block ({type(exc).__name__}) at block {start}") from None
            page = max(MIN_PAGE_BLOCKS, page // 2)
            continue
        for log in sorted(logs, key=lambda lg: (int(lg["blockNumber"]), int(lg["logIndex"]))):
            yield _event(log)
        start = end + 1
