"""The two API dialects one client speaks, as a small table: each turns an operation
(list, get, propose, confirm, delegates) into a method, a path, query parameters and a body.

- ``tx-service``: the classic per-chain Safe Transaction Service (self-hosted deployments and
  Safe's ``https://api.safe.global/tx-service/<chain>``): the chain is in the host, paths carry
  a trailing slash. Paths from safe-eth-py ``TransactionServiceApi`` and Safe's API reference.
- ``queue``: the Safe Queue Service, one base URL for all chains
  (``https://api.safe.global/queue``), ``/api/v1/...`` paths with no trailing slash, the chain
  in the body (``chainId``) or the query. Confirmed from docs.safe.global/core-api/
  safe-queue-service-overview and safe-queue-service-migration: the base URL, versioning and
  slashes, the delegate endpoints (GET/POST/DELETE ``/api/v1/delegates``, DELETE with the
  delegate in the JSON body, 409 on a repeated POST), ``GET /api/v1/safes/{safe}/multisig-transactions``
  and the pending queue at ``GET /api/v1/multisig-transactions/queue?safes={safe}:{chainId}``.
  NOT confirmed (the pages we could read stop before them; Safe's OpenAPI spec at
  api.safe.global/queue/openapi.json is the authority): the proposal path
  ``POST /api/v1/multisig-transactions`` (the overview's example URL) and its body fields, the
  paths of one transaction and of its confirmations, the name of the chain query parameter
  (``chainId`` here) and the queue's nonce filter (``nonce__gte`` here). The local service
  serves exactly what this table sends, so a correction here is one line per operation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["DIALECTS", "DialectName", "Dialect", "Call", "default_url", "QUEUE_URL", "TX_SERVICE_URL"]

DialectName = Literal["queue", "tx-service"]

QUEUE_URL = "https://api.safe.global/queue"
TX_SERVICE_URL = "https://api.safe.global/tx-service/{short}"

# Safe's public Transaction Service per chain id (EIP-3770 short names as Safe's URLs use
# them; the list matches safe-eth-py's TransactionServiceApi.NETWORK_SHORTNAME).
TX_SERVICE_SHORT_NAMES: dict[int, str] = {
    1: "eth", 10: "oeth", 56: "bnb", 100: "gno", 130: "unichain", 137: "pol", 146: "sonic", 196: "okb",
    232: "lens", 324: "zksync", 480: "wc", 1101: "zkevm", 5000: "mantle", 8453: "base", 9745: "plasma",
    10200: "chi", 42161: "arb1", 42220: "celo", 43111: "hemi", 43114: "avax", 57073: "ink", 59144: "linea",
    80094: "berachain", 81457: "blastmainnet", 84532: "basesep", 534352: "scr", 747474: "katana",
    11155111: "sep", 1313161554: "aurora",
}


def default_url(kind: DialectName, chain_id: int | None) -> str | None:
    """Safe's public URL for this dialect and chain, or None when Safe runs none we know."""
    if kind == "queue":
        return QUEUE_URL
    short = TX_SERVICE_SHORT_NAMES.get(int(chain_id)) if chain_id is not None else None
    return TX_SERVICE_URL.format(short=short) if short else None


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    body: Any = None


class Dialect:
    name: DialectName
    title: str  # for messages

    def __init__(self, chain_id: int | None = None) -> None:
        self.chain_id = chain_id

    def safe_info(self, safe: str) -> Call: ...
    def list_txs(self, safe: str, nonce_gte: int | None, executed: bool | None) -> Call: ...
    def queued(self, safe: str, nonce_gte: int) -> Call: ...
    def get_tx(self, h: str) -> Call: ...
    def propose(self, safe: str, body: dict[str, Any]) -> Call: ...
    def confirm(self, h: str, signature: str) -> Call: ...
    def delegates(self, safe: str | None, delegator: str | None) -> Call: ...
    def add_delegate(self, body: dict[str, Any]) -> Call: ...
    def remove_delegate(self, delegate: str, body: dict[str, Any]) -> Call: ...


def _filters(nonce_gte: int | None, executed: bool | None) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": 100}
    if nonce_gte is not None:
        params["nonce__gte"] = nonce_gte
    if executed is not None:
        params["executed"] = "true" if executed else "false"
    return params


def _some(**params: Any) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


class TxServiceDialect(Dialect):
    name: DialectName = "tx-service"
    title = "Safe Transaction Service"

    def safe_info(self, safe: str) -> Call:
        return Call("GET", f"/api/v1/safes/{safe}/")

    def list_txs(self, safe: str, nonce_gte: int | None, executed: bool | None) -> Call:
        return Call("GET", f"/api/v2/safes/{safe}/multisig-transactions/", _filters(nonce_gte, executed))

    def queued(self, safe: str, nonce_gte: int) -> Call:
        return self.list_txs(safe, nonce_gte, False)

    def get_tx(self, h: str) -> Call:
        return Call("GET", f"/api/v2/multisig-transactions/{h}/")

    def propose(self, safe: str, body: dict[str, Any]) -> Call:
        return Call("POST", f"/api/v2/safes/{safe}/multisig-transactions/", body=body)

    def confirm(self, h: str, signature: str) -> Call:
        return Call("POST", f"/api/v1/multisig-transactions/{h}/confirmations/", body={"signature": signature})

    def delegates(self, safe: str | None, delegator: str | None) -> Call:
        return Call("GET", "/api/v2/delegates/", {"limit": 100, **_some(safe=safe, delegator=delegator)})

    def add_delegate(self, body: dict[str, Any]) -> Call:
        return Call("POST", "/api/v2/delegates/", body=body)

    def remove_delegate(self, delegate: str, body: dict[str, Any]) -> Call:
        return Call("DELETE", f"/api/v2/delegates/{delegate}/", body=body)


class QueueDialect(Dialect):
    name: DialectName = "queue"
    title = "Safe Queue Service"

    @property
    def chain(self) -> int:
        if self.chain_id is None:
            raise ValueError("the Queue Service needs the chain id")
        return int(self.chain_id)

    def safe_info(self, safe: str) -> Call:
        # The Queue Service stores off-chain data only; Safe info (nonce, owners) is read from chain.
        raise NotImplementedError("the Safe Queue Service has no Safe info endpoint; read the Safe from chain")

    def list_txs(self, safe: str, nonce_gte: int | None, executed: bool | None) -> Call:
        return Call("GET", f"/api/v1/safes/{safe}/multisig-transactions",
                    {"chainId": self.chain, **_filters(nonce_gte, executed)})

    def queued(self, safe: str, nonce_gte: int) -> Call:
        return Call("GET", "/api/v1/multisig-transactions/queue",
                    {"safes": f"{safe}:{self.chain}", "nonce__gte": nonce_gte, "limit": 100})

    def get_tx(self, h: str) -> Call:
        return Call("GET", f"/api/v1/multisig-transactions/{h}", {"chainId": self.chain})

    def propose(self, safe: str, body: dict[str, Any]) -> Call:
        return Call("POST", "/api/v1/multisig-transactions", body={"chainId": self.chain, "safe": safe, **body})

    def confirm(self, h: str, signature: str) -> Call:
        return Call("POST", f"/api/v1/multisig-transactions/{h}/confirmations",
                    body={"chainId": self.chain, "signature": signature})

    def delegates(self, safe: str | None, delegator: str | None) -> Call:
        return Call("GET", "/api/v1/delegates", {"chainId": self.chain, "limit": 100, **_some(safe=safe, delegator=delegator)})

    def add_delegate(self, body: dict[str, Any]) -> Call:
        return Call("POST", "/api/v1/delegates", body={"chainId": self.chain, **body})

    def remove_delegate(self, delegate: str, body: dict[str, Any]) -> Call:
        return Call("DELETE", "/api/v1/delegates", body={"chainId": self.chain, "delegate": delegate, **body})


DIALECTS: dict[DialectName, type[Dialect]] = {"tx-service": TxServiceDialect, "queue": QueueDialect}
