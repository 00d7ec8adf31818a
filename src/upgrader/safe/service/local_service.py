"""A local Safe Transaction Service for dev chains and tests: the rules, without HTTP
(``local_server`` serves them on loopback).

It speaks the endpoints and JSON of the real service that upgrader uses and enforces the real
service's rules against the chain it is given:

- the proposer's signature recovers to an owner of the Safe (read from chain) and to the sender;
- ``contractTransactionHash`` equals the hash recomputed for that Safe, chain and Safe version;
- the nonce is not below the Safe's on-chain nonce;
- DELEGATECALL only to a trusted MultiSendCallOnly (the canonical ones + those passed in);
- a duplicate safeTxHash is rejected (422).

State lives in a JSON file so separate processes (``make demo`` steps) share it. Tests can
``inject`` failures: a status instead of the answer, a delay, or both, optionally after the
request was processed (an answer lost on the way back).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from upgrader.errors import InputError
from upgrader.safe.addresses import trusted_multisend_call_only
from upgrader.safe.signatures import split_signatures
from upgrader.safe.tx import DELEGATECALL, SafeDomain, SafeTx, safe_tx_hash

DEFAULT_PORT = 5555
Response = tuple[int, Any]


@dataclass
class Injection:
    status: int | None
    remaining: int
    delay_s: float = 0.0
    method: str | None = None
    after: bool = False  # process the request, then answer with ``status`` (answer lost)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _errors(message: str) -> dict[str, list[str]]:
    return {"nonFieldErrors": [message]}


class LocalTransactionService:
    """The service's logic, without HTTP: ``handle(method, path, query, body)``."""

    def __init__(self, rpc_url: str, state_file: Path | None = None, trusted_delegates: tuple[str, ...] = ()) -> None:
        self.rpc_url = rpc_url
        self.state_file = Path(state_file) if state_file else None
        self.trusted = {a.lower() for a in (*trusted_multisend_call_only(), *trusted_delegates)}
        self.lock = threading.RLock()
        self.txs: dict[str, dict[str, Any]] = {}
        self.injections: list[Injection] = []
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status) answered
        self._w3: Any = None
        if self.state_file and self.state_file.is_file():
            self.txs = json.loads(self.state_file.read_text()).get("transactions", {})

    # -- chain ------------------------------------------------------------------------------

    @property
    def w3(self) -> Any:
        if self._w3 is None:
            from upgrader.chain.rpc import connect

            self._w3 = connect(self.rpc_url)
        return self._w3

    def _safe(self, address: str) -> dict[str, Any]:
        from eth_utils import to_checksum_address

        from upgrader.chain.safe_exec import safe_contract

        address = to_checksum_address(address)
        if not self.w3.eth.get_code(address):
            raise LookupError(f"Safe={address} does not exist or it's still not indexed")
        c = safe_contract(self.w3, address).functions
        return {"address": address, "nonce": c.nonce().call(), "threshold": c.getThreshold().call(),
                "owners": list(c.getOwners().call()), "version": c.VERSION().call(),
                "chain_id": int(self.w3.eth.chain_id)}

    def _refresh_executed(self, safe: str) -> None:
        """Mark transactions executed from the Safe's ExecutionSuccess logs (the real service indexes them)."""
        pending = [t for t in self.txs.values() if t["safe"] == safe and not t["isExecuted"]]
        if not pending:
            return
        nonce = self._safe(safe)["nonce"]
        if all(int(t["nonce"]) >= nonce for t in pending):
            return
        from upgrader.chain.safe_exec import safe_contract

        event = safe_contract(self.w3, safe).events.ExecutionSuccess()
        for log in event.get_logs(from_block=0):
            h = "0x" + bytes(log["args"]["txHash"]).hex()
            if h in self.txs and not self.txs[h]["isExecuted"]:
                tx = self.txs[h]
                tx.update(isExecuted=True, isSuccessful=True, blockNumber=int(log["blockNumber"]),
                          transactionHash="0x" + bytes(log["transactionHash"]).hex(), executionDate=_now())
        self._save()

    def _save(self) -> None:
        if self.state_file:
            from upgrader.manifest.store import atomic_write

            atomic_write(self.state_file, json.dumps({"transactions": self.txs}, indent=1, sort_keys=True) + "\n")

    # -- dispatch ---------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, str], body: Any) -> Response:
        routes = [
            ("GET", r"/api/v1/safes/(0x[0-9a-fA-F]{40})/", self.get_safe),
            ("GET", r"/api/v2/safes/(0x[0-9a-fA-F]{40})/multisig-transactions/", self.list_txs),
            ("POST", r"/api/v2/safes/(0x[0-9a-fA-F]{40})/multisig-transactions/", self.propose),
            ("GET", r"/api/v2/multisig-transactions/(0x[0-9a-fA-F]{64})/", self.get_tx),
            ("POST", r"/api/v1/multisig-transactions/(0x[0-9a-fA-F]{64})/confirmations/", self.confirm),
        ]
        for verb, pattern, handler in routes:
            m = re.fullmatch(pattern, path)
            if m and verb == method:
                try:
                    with self.lock:
                        return handler(m.group(1), query, body)
                except LookupError as exc:
                    return 404, {"detail": str(exc)}
                except InputError as exc:
                    return 400, _errors(str(exc))
        return 404, {"detail": "Not found."}

    def get_safe(self, safe: str, query: dict[str, str], body: Any) -> Response:
        info = self._safe(safe)
        return 200, {"address": info["address"], "nonce": str(info["nonce"]), "threshold": info["threshold"],
                     "owners": info["owners"], "version": info["version"], "modules": [], "guard": None}

    def list_txs(self, safe: str, query: dict[str, str], body: Any) -> Response:
        safe = self._safe(safe)["address"]
        self._refresh_executed(safe)
        rows = [t for t in self.txs.values() if t["safe"] == safe]
        if "nonce__gte" in query:
            rows = [t for t in rows if int(t["nonce"]) >= int(query["nonce__gte"])]
        if "executed" in query:
            rows = [t for t in rows if t["isExecuted"] == (query["executed"] == "true")]
        rows.sort(key=lambda t: (-int(t["nonce"]), t["submissionDate"]))
        limit, offset = int(query.get("limit", 100)), int(query.get("offset", 0))
        page = rows[offset : offset + limit]
        more = offset + limit < len(rows)
        return 200, {"count": len(rows), "next": f"?limit={limit}&offset={offset + limit}" if more else None,
                     "previous": None, "results": page}

    def get_tx(self, safe_tx_hash: str, query: dict[str, str], body: Any) -> Response:
        tx = self.txs.get(safe_tx_hash.lower())
        if tx is None:
            return 404, {"detail": "No MultisigTransaction matches the given query."}
        self._refresh_executed(tx["safe"])
        return 200, tx

    def _signers(self, h: str, signature: Any, owners: list[str]) -> list[tuple[str, str]]:
        sigs = split_signatures(h, signature or "0x")
        if not sigs:
            raise InputError("signature: at least one signature is required")
        out = []
        for sig in sigs:
            if not sig.verified:
                raise InputError(f"Signature type {sig.kind} cannot be verified off chain; sign the safeTxHash (EIP-712 or eth_sign)")
            if sig.signer not in owners:
                raise InputError(f"Signer={sig.signer} is not an owner or delegate. Current owners={owners}. Delegates=[]")
            out.append((sig.signer, sig.to_hex()))
        return out

    def propose(self, safe: str, query: dict[str, str], body: Any) -> Response:
        if not isinstance(body, dict):
            raise InputError("expected a JSON object")
        info = self._safe(safe)
        tx = SafeTx.from_json(body)
        domain = SafeDomain(info["chain_id"], info["address"], info["version"])
        h = "0x" + safe_tx_hash(tx, domain).hex()
        given = str(body.get("contractTransactionHash", "")).lower()
        if given != h:
            return 400, {"contractTransactionHash": [f"Contract-transaction-hash={h} does not match provided contract-tx-hash={given}"]}
        if tx.nonce < info["nonce"]:
            return 400, {"nonce": [f"Nonce={tx.nonce} too low for safe={info['address']}; current on-chain nonce is {info['nonce']}"]}
        if tx.operation == DELEGATECALL and tx.to.lower() not in self.trusted:
            return 400, _errors(f"Operation DELEGATE_CALL is not allowed: {tx.to} is not a trusted MultiSendCallOnly")
        if h in self.txs:
            return 422, _errors(f"Tx with safe-tx-hash={h} for safe={info['address']} was already proposed")
        signers = self._signers(h, body.get("signature"), info["owners"])
        sender = str(body.get("sender", ""))
        if sender.lower() not in {s.lower() for s, _ in signers}:
            return 400, {"sender": [f"Signature does not match sender={sender}. Calculated owners={[s for s, _ in signers]}"]}
        now = _now()
        self.txs[h] = {
            "safe": info["address"], **tx.to_json(), "data": "0x" + tx.data.hex() if tx.data else None,
            "nonce": str(tx.nonce), "safeTxHash": h, "proposer": sender, "origin": body.get("origin"),
            "submissionDate": now, "modified": now, "executionDate": None, "blockNumber": None,
            "transactionHash": None, "executor": None, "isExecuted": False, "isSuccessful": None,
            "confirmationsRequired": info["threshold"], "trusted": True,
            "confirmations": [{"owner": s, "signature": sig, "signatureType": "EOA", "submissionDate": now,
                               "transactionHash": None} for s, sig in signers],
        }
        self._save()
        return 201, None

    def confirm(self, safe_tx_hash: str, query: dict[str, str], body: Any) -> Response:
        h = safe_tx_hash.lower()
        tx = self.txs.get(h)
        if tx is None:
            return 404, {"detail": f"Multisig transaction with safe-tx-hash={h} was not found"}
        self._refresh_executed(tx["safe"])
        if tx["isExecuted"]:
            return 400, {"signature": [f"Transaction with safe-tx-hash={h} was already executed"]}
        info = self._safe(tx["safe"])
        signers = self._signers(h, (body or {}).get("signature"), info["owners"])
        have = {c["owner"].lower() for c in tx["confirmations"]}
        for owner, sig in signers:
            if owner.lower() in have:
                return 400, {"signature": [f"Signature for owner={owner} already exists"]}
            tx["confirmations"].append({"owner": owner, "signature": sig, "signatureType": "EOA",
                                        "submissionDate": _now(), "transactionHash": None})
        tx["modified"] = _now()
        self._save()
        return 201, {"signature": body.get("signature")}

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
