"""Web3 connections over an endpoint pool (``chain.endpoints``): bounded timeouts, failover,
one-line errors that name endpoints without their secrets; ERC-1967 slot reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from upgrader.chain.endpoints import EndpointPool
from upgrader.constants import ADMIN_SLOT, IMPLEMENTATION_SLOT

if TYPE_CHECKING:
    from web3 import Web3

GIVE_UP_AFTER_S = 9.0  # the contract is "give up within 10 s", whole command included


def _provider(pool: EndpointPool) -> Any:
    """web3's view of an EndpointPool: every request goes through the pool's rules (the class
    is made on first use so that importing this module does not import web3)."""
    global _PoolProvider
    if _PoolProvider is None:
        from web3.providers.base import JSONBaseProvider

        class PoolProvider(JSONBaseProvider):
            def __init__(self, pool: EndpointPool) -> None:
                super().__init__()
                self.pool = pool

            def make_request(self, method: Any, params: Any) -> Any:
                return self.pool.request(str(method), list(params or []))

            @property
            def endpoint_uri(self) -> str:  # as web3's HTTPProvider: the endpoint in use
                return self.pool.primary.url

            def make_batch_request(self, requests: Any) -> Any:
                return self.pool.request_batch([(str(m), list(p or [])) for m, p in requests])

            def is_connected(self, show_traceback: bool = False) -> bool:
                return any(e.chain_id is not None for e in self.pool.endpoints)

            def __repr__(self) -> str:  # never the URLs themselves
                return f"PoolProvider({self.pool.names()})"

        _PoolProvider = PoolProvider
    return _PoolProvider(pool)


_PoolProvider: Any = None


def connect(url: str | Sequence[str], give_up_after_s: float = GIVE_UP_AFTER_S, chain_id: int | None = None,
            call_timeout_s: float | None = None) -> "Web3":
    """A Web3 on the endpoint(s) ``url`` whose chain id was answered (and equals ``chain_id``
    when given) by every endpoint that answered; InputError naming them (redacted) otherwise."""
    from web3 import Web3

    urls = [url] if isinstance(url, str) else list(url)
    pool = EndpointPool(urls)
    if call_timeout_s is not None:
        pool.call_timeout_s, pool.failure_budget_s = call_timeout_s, max(pool.failure_budget_s, call_timeout_s)
    pool.check_chain_id(chain_id, give_up_after_s)
    return Web3(_provider(pool))


def pool_of(w3: "Web3") -> EndpointPool | None:
    return getattr(w3.provider, "pool", None)


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


def send(w3: "Web3", tx: dict[str, Any], timeout_s: float = 60.0, on_sent: Any = None) -> Any:
    """Send from an unlocked/dev or impersonated account and wait for the receipt; revert -> error.
    ``on_sent(tx_hash)`` is told the hash as soon as the node has it."""
    from web3.exceptions import ContractLogicError

    from upgrader.errors import TransactionFailed

    try:  # a call that reverts is found when the node estimates its gas
        tx_hash = w3.eth.send_transaction(tx)
    except ContractLogicError as exc:
        raise TransactionFailed(f"the transaction from {tx.get('from')} to {tx.get('to') or 'a new contract'} reverts: "
                                f"{exc.message or exc}") from None
    if on_sent is not None:
        on_sent("0x" + bytes(tx_hash).hex())
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout_s, poll_latency=0.05)
    if receipt["status"] != 1:
        raise TransactionFailed(f"transaction 0x{bytes(tx_hash).hex()} reverted")
    return receipt
