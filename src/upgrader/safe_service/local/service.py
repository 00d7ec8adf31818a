"""A local Safe service for dev chains and tests, without HTTP (``server`` serves it on
loopback). It answers BOTH dialects (``routes``: the Transaction Service's paths;
``queue_routes``: the Queue Service's, as the client gateway calls them) from one store, with
the Transaction Service's rules as its source states them (``rules``, citing
safe-global/safe-transaction-service ``history/serializers.py`` @ 3e0199c4), checked against the
chain it is given (``onchain``: Safe info, the executed transactions by nonce, signature validity
incl. EIP-1271 through the owner contract's ``isValidSignature``).

Settings the real service has, at its defaults: DELEGATECALL proposals are accepted
(``refuse_delegatecall=True`` is the service's
DISABLE_CREATION_MULTISIG_TRANSACTIONS_WITH_DELEGATE_CALL_OPERATION, then only to the trusted
MultiSendCallOnly contracts + those passed in).

State lives in a JSON file so separate processes (``make demo`` steps) share it. Tests can
``inject`` failures: a status instead of the answer, a delay, or both, optionally after the
request was processed (an answer lost on the way back).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from upgrader.errors import InputError
from upgrader.safe.addresses import trusted_multisend_call_only
from upgrader.safe_service.local.onchain import Executed, executed_by_nonce

DEFAULT_PORT = 5555
Response = tuple[int, Any]


@dataclass
class Injection:
    status: int | None
    remaining: int
    delay_s: float = 0.0
    method: str | None = None
    after: bool = False  # process the request, then answer with ``status`` (answer lost)


def _errors(message: str) -> dict[str, list[str]]:
    return {"nonFieldErrors": [message]}


class LocalTransactionService:
    """The service's logic, without HTTP: ``handle(method, path, query, body)``."""

    def __init__(self, rpc_url: str, state_file: Path | None = None, trusted_delegates: tuple[str, ...] = (),
                 refuse_delegatecall: bool = False) -> None:
        self.rpc_url = rpc_url
        self.state_file = Path(state_file) if state_file else None
        self.trusted = {a.lower() for a in (*trusted_multisend_call_only(), *trusted_delegates)}
        self.refuse_delegatecall = refuse_delegatecall
        self.lock = threading.RLock()
        self.txs: dict[str, dict[str, Any]] = {}
        self.delegates: list[dict[str, Any]] = []
        self.injections: list[Injection] = []
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status) answered
        self.page_size = 100  # the most results one page holds (tests lower it)
        self._w3: Any = None
        self._index: dict[str, tuple[Any, dict[int, Executed]]] = {}  # safe -> (head block hash, by nonce)
        if self.state_file and self.state_file.is_file():
            state = json.loads(self.state_file.read_text())
            self.txs, self.delegates = state.get("transactions", {}), state.get("delegates", [])  # records of older versions lack "trusted": they were signed

    # -- chain ------------------------------------------------------------------------------

    @property
    def w3(self) -> Any:
        if self._w3 is None:
            from upgrader.chain.rpc import connect

            self._w3 = connect(self.rpc_url)
        return self._w3

    @property
    def chain_id(self) -> int:
        return int(self.w3.eth.chain_id)

    def executed(self, safe: str) -> dict[int, Executed]:
        """The Safe's executed transactions by nonce, as the indexer has them (cached per head)."""
        head = self.w3.eth.get_block("latest")["hash"]
        cached = self._index.get(safe)
        if cached is None or cached[0] != head:
            cached = self._index[safe] = (head, executed_by_nonce(self.w3, safe))
        return cached[1]

    def refresh_executed(self, safe: str) -> None:
        """Mark stored transactions executed as the indexer finds their execution."""
        pending = [t for t in self.txs.values() if t["safe"] == safe and not t["isExecuted"]]
        if not pending:
            return
        by_hash = {e.safe_tx_hash: e for e in self.executed(safe).values()}
        changed = False
        for t in pending:
            found = by_hash.get(t["safeTxHash"])
            if found is None:
                continue
            block = self.w3.eth.get_block(found.block_number)
            sent = self.w3.eth.get_transaction(found.transaction_hash)
            when = datetime.fromtimestamp(int(block["timestamp"]), timezone.utc).isoformat().replace("+00:00", "Z")
            t.update(isExecuted=True, isSuccessful=found.successful, blockNumber=found.block_number,
                     transactionHash=found.transaction_hash, executionDate=when, executor=sent["from"])
            changed = True
        if changed:
            self.save()

    def save(self) -> None:
        if self.state_file:
            from upgrader.manifest.store import atomic_write

            state = {"transactions": self.txs, "delegates": self.delegates}
            atomic_write(self.state_file, json.dumps(state, indent=1, sort_keys=True) + "\n")

    # -- dispatch ---------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, str], body: Any) -> Response:
        from upgrader.safe_service.local.routes import route

        found = route(self, method, path)
        if found is None:
            return 404, {"detail": "Not found."}
        handler, args = found
        try:
            with self.lock:
                return handler(*args, query, body)
        except LookupError as exc:
            return 404, {"detail": str(exc)}
        except InputError as exc:
            return 400, _errors(str(exc))

    # -- failure injection ------------------------------------------------------------------

    def inject(self, status: int | None = 503, count: int = 1, delay_s: float = 0.0,
               method: str | None = None, after: bool = False) -> None:
        with self.lock:
            self.injections.append(Injection(status, count, delay_s, method, after))

    def take_injection(self, method: str) -> Injection | None:
        with self.lock:
            for inj in self.injections:
                if inj.remaining > 0 and inj.method in (None, method):
                    inj.remaining -= 1
                    return inj
        return None
