"""The two API dialects one client speaks, as a small table: each turns an operation (list,
get, propose, confirm, delegates) into a method, a path, query parameters and a body, and
reads that dialect's transaction and delegate bodies (``models``).

- ``tx-service`` (the default): Safe's Transaction Service, what Safe's own clients use
  (api-kit, safe-eth-py, safe-cli, the client gateway's main branch). Safe runs it per chain at
  ``https://api.safe.global/tx-service/<shortName>``; self-hosted deployments run the same code.
  Requests as safe-global/safe-core-sdk ``packages/api-kit/src/SafeApiKit.ts`` and
  safe-global/safe-eth-py ``safe_eth/safe/api/transaction_service_api/transaction_service_api.py``
  send them (commits in ``SOURCES``).
- ``queue`` (opt-in): the Safe Queue Service at ``https://api.safe.global/queue``, one URL for all
  chains. Not yet what Safe's apps use: the only client in Safe's code is the client gateway's
  ``SafeQueueService`` (branch ``feat/queue/06-messages-integration``,
  ``src/modules/safe-queue/safe-queue.service.ts``), used only when its ``FF_SAFE_QUEUE_SERVICE``
  flag is on (off by default, ``src/config/entities/configuration.ts`` l. 477). Every request
  below is the one that client sends; safe-global/safe-queue-service itself is a skeleton with no
  routes yet (d32e9736), so there is no server source to read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal

from upgrader.safe.tx import SafeTx
from upgrader.safe_service.models import Delegate, MultisigTx

__all__ = ["DIALECTS", "DialectName", "Dialect", "Call", "SOURCES", "default_url", "QUEUE_URL", "SAFE_API_ORIGIN_ENV"]

DialectName = Literal["queue", "tx-service"]

# The public source each rule and request here follows (repository @ commit).
SOURCES = {
    "tx-service": "safe-global/safe-transaction-service@3e0199c490ae571f395284cbc7a6e0bac881a15e (v6.10.1)",
    "api-kit": "safe-global/safe-core-sdk@99486267633795a3a5e86ad1485dfd12f023f0f3",
    "safe-eth-py": "safe-global/safe-eth-py@e9d83ccf6b3472f16f3216c14d503afbf2b0f345",
    "gateway-queue": "safe-global/safe-client-gateway@967418dcb66c856613ef58524beeb9a2ae88eab8 (feat/queue/06-messages-integration)",
}

SAFE_API_ORIGIN = "https://api.safe.global"
SAFE_API_ORIGIN_ENV = "UPGRADER_SAFE_API_ORIGIN"  # another origin for Safe's public paths (a mirror, a test server)
QUEUE_URL = SAFE_API_ORIGIN + "/queue"

# Safe's public Transaction Service per chain id: api-kit's table, safe-global/safe-core-sdk
# packages/api-kit/src/utils/config.ts @ 99486267 (`networks`, and
# getTransactionServiceUrl = https://api.safe.global/tx-service/<shortName>/api).
TX_SERVICE_SHORT_NAMES: dict[int, str] = {
    1: "eth", 10: "oeth", 50: "xdc", 56: "bnb", 100: "gno", 130: "unichain", 137: "pol", 143: "monad",
    146: "sonic", 196: "okb", 204: "opbnb", 232: "lens", 324: "zksync", 480: "wc", 988: "stable", 999: "hyper",
    1101: "zkevm", 1672: "pharos", 3338: "peaq", 3637: "btc", 4217: "tempo", 4326: "mega", 5000: "mantle",
    5003: "mnt-sep", 8453: "base", 9745: "plasma", 10143: "monad-testnet", 10200: "chi", 16661: "0g",
    25363: "fluent", 42161: "arb1", 42220: "celo", 42431: "tempo-moderato", 43111: "hemi", 43114: "avax",
    46630: "robinhood-testnet", 57073: "ink", 59144: "linea", 80069: "bep", 80094: "berachain", 81224: "codex",
    84532: "basesep", 102030: "ctc", 534352: "scr", 747474: "katana", 5042002: "arc-testnet",
    11142220: "celo-sep", 11155111: "sep", 1313161554: "aurora",
}


def _origin() -> str:
    return (os.environ.get(SAFE_API_ORIGIN_ENV) or SAFE_API_ORIGIN).rstrip("/")


def default_url(kind: DialectName, chain_id: int | None) -> str | None:
    """Safe's public URL for this dialect and chain, or None when Safe runs none for it.
    The Transaction Service's paths below carry their ``/api`` prefix, so this is the
    ``https://api.safe.global/tx-service/<shortName>`` part."""
    if kind == "queue":
        return _origin() + "/queue"
    short = TX_SERVICE_SHORT_NAMES.get(int(chain_id)) if chain_id is not None else None
    return f"{_origin()}/tx-service/{short}" if short else None


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    body: Any = None


class Unsupported(Exception):
    """The dialect has no request for this operation."""


class Dialect:
    name: DialectName
    title: str  # for messages

    def __init__(self, chain_id: int | None = None) -> None:
        self.chain_id = chain_id

    def safe_info(self, safe: str) -> Call: raise NotImplementedError
    def list_txs(self, safe: str, nonce_gte: int | None, executed: bool | None) -> Call: raise NotImplementedError
    def queued(self, safe: str, nonce_gte: int) -> Call: raise NotImplementedError
    def get_tx(self, h: str) -> Call: raise NotImplementedError
    def propose(self, safe: str, tx: SafeTx, h: str, sender: str, signature: str | None, origin: str) -> Call: raise NotImplementedError
    def confirm(self, h: str, signature: str) -> Call: raise NotImplementedError
    def delegates(self, safe: str | None, delegator: str | None, delegate: str | None) -> Call: raise NotImplementedError
    def add_delegate(self, delegate: str, delegator: str, signature: str, label: str, safe: str | None) -> Call: raise NotImplementedError
    def remove_delegate(self, delegate: str, delegator: str, signature: str, safe: str | None) -> Call: raise NotImplementedError
    def parse_tx(self, obj: Any) -> MultisigTx: raise NotImplementedError
    def parse_delegate(self, obj: Any) -> Delegate: raise NotImplementedError


def _some(**params: Any) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


class TxServiceDialect(Dialect):
    """Paths as api-kit's SafeApiKit.ts @ 99486267 builds them on `${txServiceBaseUrl}` (which
    ends in ``/api``), trailing slashes as safe-eth-py's transaction_service_api.py @ e9d83ccf."""

    name: DialectName = "tx-service"
    title = "Safe Transaction Service"

    def safe_info(self, safe: str) -> Call:
        return Call("GET", f"/api/v1/safes/{safe}/")  # SafeApiKit.ts getSafeInfo (l. 526)

    def list_txs(self, safe: str, nonce_gte: int | None, executed: bool | None) -> Call:
        # SafeApiKit.ts getMultisigTransactions (l. 708); filters of history/filters.py
        # MultisigTransactionFilter (executed, nonce__gte; ``trusted`` defaults to true, l. 98)
        params: dict[str, Any] = {"limit": 100, **_some(nonce__gte=nonce_gte)}
        if executed is not None:
            params["executed"] = "true" if executed else "false"
        return Call("GET", f"/api/v2/safes/{safe}/multisig-transactions/", params)

    def queued(self, safe: str, nonce_gte: int) -> Call:
        # SafeApiKit.ts getPendingTransactions (l. 744): ?executed=false&nonce__gte=<nonce>
        return self.list_txs(safe, nonce_gte, False)

    def get_tx(self, h: str) -> Call:
        return Call("GET", f"/api/v2/multisig-transactions/{h}/")  # SafeApiKit.ts getTransaction (l. 461)

    def propose(self, safe: str, tx: SafeTx, h: str, sender: str, signature: str | None, origin: str) -> Call:
        # SafeApiKit.ts proposeTransaction (l. 621): the SafeTx fields, contractTransactionHash,
        # sender, signature, origin; the fields of history/serializers.py SafeMultisigTransactionSerializer
        body = {**tx.to_json(), "nonce": tx.nonce, "contractTransactionHash": h, "sender": sender,
                "signature": signature, "origin": origin}
        return Call("POST", f"/api/v2/safes/{safe}/multisig-transactions/", body=body)

    def confirm(self, h: str, signature: str) -> Call:
        # SafeApiKit.ts confirmTransaction (l. 504); safe-eth-py post_signatures
        return Call("POST", f"/api/v1/multisig-transactions/{h}/confirmations/", body={"signature": signature})

    def delegates(self, safe: str | None, delegator: str | None, delegate: str | None) -> Call:
        # SafeApiKit.ts getSafeDelegates (l. 219-241: safe, delegate, delegator, limit); safe-eth-py
        # get_delegates: /api/v2/delegates/?safe=
        return Call("GET", "/api/v2/delegates/", {**_some(safe=safe, delegate=delegate, delegator=delegator), "limit": 100})

    def add_delegate(self, delegate: str, delegator: str, signature: str, label: str, safe: str | None) -> Call:
        # safe-eth-py add_delegate (POST /api/v2/delegates/, "safe" only when scoped); SafeApiKit.ts l. 290
        body = {"delegate": delegate, "delegator": delegator, "signature": signature, "label": label, **_some(safe=safe)}
        return Call("POST", "/api/v2/delegates/", body=body)

    def remove_delegate(self, delegate: str, delegator: str, signature: str, safe: str | None) -> Call:
        # safe-eth-py remove_delegate: DELETE /api/v2/delegates/{delegate}/ {delegator, signature[, safe]}
        return Call("DELETE", f"/api/v2/delegates/{delegate}/", body={"delegator": delegator, "signature": signature, **_some(safe=safe)})

    def parse_tx(self, obj: Any) -> MultisigTx:
        return MultisigTx.from_json(obj)

    def parse_delegate(self, obj: Any) -> Delegate:
        return Delegate.from_json(obj)


class QueueDialect(Dialect):
    """Exactly what the client gateway's SafeQueueService (safe-queue.service.ts @ 967418dc)
    sends and reads; line numbers are of that file."""

    name: DialectName = "queue"
    title = "Safe Queue Service"

    @property
    def chain(self) -> int:
        if self.chain_id is None:
            raise ValueError("the Queue Service needs the chain id")
        return int(self.chain_id)

    def safe_info(self, safe: str) -> Call:
        # The gateway reads Safe info from the Transaction Service, never from the queue.
        raise Unsupported("the Safe Queue Service has no Safe info endpoint; the Safe is read from chain")

    def list_txs(self, safe: str, nonce_gte: int | None, executed: bool | None) -> Call:
        if executed is not False:  # the gateway reads history from the Transaction Service only
            raise Unsupported("the Safe Queue Service lists only queued (unexecuted) transactions")
        return self.queued(safe, nonce_gte or 0)

    def queued(self, safe: str, nonce_gte: int) -> Call:
        # getTransactionQueue (l. 238): GET /api/v1/multisig-transactions/queue?safes=<safe>:<chainId>
        # &nonce_order=asc&limit&offset; no nonce filter (the client drops those below the Safe's nonce)
        return Call("GET", "/api/v1/multisig-transactions/queue",
                    {"safes": f"{safe}:{self.chain}", "nonce_order": "asc", "limit": 100})

    def get_tx(self, h: str) -> Call:
        return Call("GET", f"/api/v1/multisig-transactions/{h}")  # getMultisigTransaction (l. 126)

    def propose(self, safe: str, tx: SafeTx, h: str, sender: str, signature: str | None, origin: str) -> Call:
        # proposeTransaction (l. 84-103): no sender and no safeTxHash; the chain id and nonce as
        # numbers, the gas fields as decimal strings, the origin split into name/url, notes, and
        # the proposer's signature as the one element of ``signatures`` (empty when unsigned)
        fields = tx.to_json()
        body = {"chainId": self.chain, "safe": safe, "to": tx.to, "value": fields["value"],
                "data": fields["data"] if tx.data else None, "nonce": tx.nonce, "operation": tx.operation,
                "safeTxGas": fields["safeTxGas"], "baseGas": fields["baseGas"], "gasPrice": fields["gasPrice"],
                "gasToken": tx.gas_token, "refundReceiver": tx.refund_receiver, "originName": origin,
                "originUrl": None, "notes": None, "signatures": [signature] if signature else []}
        return Call("POST", "/api/v1/multisig-transactions", body=body)

    def confirm(self, h: str, signature: str) -> Call:
        # postConfirmation (l. 269-272): POST .../{safeTxHash}/signatures {signatures: [signature]}
        return Call("POST", f"/api/v1/multisig-transactions/{h}/signatures", body={"signatures": [signature]})

    def delegates(self, safe: str | None, delegator: str | None, delegate: str | None) -> Call:
        # getDelegates (l. 317-333): GET /api/v1/delegates?chainId&safe&delegate&delegator&limit&offset
        return Call("GET", "/api/v1/delegates", {"chainId": self.chain, **_some(safe=safe, delegate=delegate, delegator=delegator),
                                                 "limit": 100})

    def add_delegate(self, delegate: str, delegator: str, signature: str, label: str, safe: str | None) -> Call:
        # postDelegate (l. 352): {delegate, delegator, signature, chainId, safe (left out when null), label}
        body = {"delegate": delegate, "delegator": delegator, "signature": signature, "chainId": self.chain,
                **_some(safe=safe), "label": label}
        return Call("POST", "/api/v1/delegates", body=body)

    def remove_delegate(self, delegate: str, delegator: str, signature: str, safe: str | None) -> Call:
        # deleteDelegate (l. 413): DELETE /api/v1/delegates {delegate, delegator, signature, chainId, safe}
        body = {"delegate": delegate, "delegator": delegator, "signature": signature, "chainId": self.chain, **_some(safe=safe)}
        return Call("DELETE", "/api/v1/delegates", body=body)

    def parse_tx(self, obj: Any) -> MultisigTx:
        return MultisigTx.from_queue_json(obj)

    def parse_delegate(self, obj: Any) -> Delegate:
        return Delegate.from_json(obj)


DIALECTS: dict[DialectName, type[Dialect]] = {"tx-service": TxServiceDialect, "queue": QueueDialect}
