"""Web3 connections with bounded timeouts and one-line errors that name the endpoint."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from upgrader.errors import InputError

if TYPE_CHECKING:
    from web3 import Web3

IMPLEMENTATION_SLOT = 0x360894A13BA1A3210667C828492DB98DCA3E2076CC3735A920A3CA505D382BBC
ADMIN_SLOT = 0xB53127684A568B3173AE13B9F8A6016E243E63B6E8EE1178D6A717850B5D6103
GIVE_UP_AFTER_S = 9.0  # the contract is "give up within 10 s", whole command included


def connect(url: str, give_up_after_s: float = GIVE_UP_AFTER_S) -> "Web3":
    """A Web3 on ``url`` that answered ``eth_chainId``; InputError naming it otherwise."""
    from web3 import Web3
    from web3.providers import HTTPProvider

    deadline = time.monotonic() + give_up_after_s
    last: Exception | None = None
    while (left := deadline - time.monotonic()) > 0:
        # Probe without web3's own retries, each attempt bounded by the time left, so a
        # node that accepts connections but never answers cannot stretch the deadline.
        probe = Web3(HTTPProvider(url, request_kwargs={"timeout": min(2.0, left)}, exception_retry_configuration=None))
        try:
            _ = probe.eth.chain_id
            return Web3(HTTPProvider(url, request_kwargs={"timeout": 30.0}))
        except Exception as exc:  # connection refused, timeout, bad JSON: retry until the deadline
            last = exc
            time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
    raise InputError(f"RPC endpoint {url} unreachable after {give_up_after_s:.0f} s ({type(last).__name__}); check the URL or start the node")


def read_address_slot(w3: "Web3", address: str, slot: int) -> str:
    from eth_utils import to_checksum_address

    raw = w3.eth.get_storage_at(to_checksum_address(address), slot)
    return to_checksum_address(raw[-20:].rjust(20, b"\0"))


def implementation_of(w3: "Web3", proxy: str) -> str:
    return read_address_slot(w3, proxy, IMPLEMENTATION_SLOT)


def admin_of(w3: "Web3", proxy: str) -> str:
    return read_address_slot(w3, proxy, ADMIN_SLOT)


def code_at(w3: "Web3", address: str) -> bytes:
    from eth_utils import to_checksum_address

    return bytes(w3.eth.get_code(to_checksum_address(address)))


def send(w3: "Web3", tx: dict[str, Any], timeout_s: float = 60.0) -> Any:
    """Send from an unlocked/dev or impersonated account and wait for the receipt; revert -> error."""
    tx_hash = w3.eth.send_transaction(tx)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout_s, poll_latency=0.05)
    if receipt["status"] != 1:
        raise RuntimeError(f"transaction {tx_hash.hex()} reverted")
    return receipt
