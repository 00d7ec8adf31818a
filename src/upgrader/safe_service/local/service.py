"""A local Safe service for dev chains and tests: the rules, without HTTP (``local_server``
serves them on loopback). It answers BOTH dialects (``local_routes``: the classic Transaction
Service paths and the Queue Service paths) from one store with the same rules, enforced
against the chain it is given:

- a proposal is signed by its sender, who is an owner of the Safe (the signature is its
  confirmation), a delegate of an owner, or an owner of a Safe that owns this Safe (proposer
  only: docs.safe.global/core-api/safe-queue-service-overview, "Who can sign a request");
- ``contractTransactionHash`` equals the hash recomputed for that Safe, chain and version;
- the nonce is not below the Safe's on-chain nonce;
- DELEGATECALL only to a trusted MultiSendCallOnly (the canonical ones + those passed in);
- a duplicate safeTxHash is rejected (422);
- a confirmation is an owner's ECDSA signature, or an owner's approved hash (v = 1) that the
  chain holds (``approvedHashes``) -- how an owner that is itself a Safe approves;
- delegates are added/removed with the delegator's EIP-712 ``Delegate`` signature (``delegates``).

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
from upgrader.safe.delegate_message import delegate_message_hash, valid_totps
from upgrader.safe.signatures import recover_signature, split_signatures
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


class Rejected(Exception):
    """A request the service answers with ``status`` and ``body``."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(str(body))
        self.status, self.body = status, body


def _reject(field: str | None, message: str, status: int = 400) -> Rejected:
    return Rejected(status, {field: [message]} if field else _errors(message))


class LocalTransactionService:
    """The service's logic, without HTTP: ``handle(method, path, query, body)``."""

    def __init__(self, rpc_url: str, state_file: Path | None = None, trusted_delegates: tuple[str, ...] = ()) -> None:
        self.rpc_url = rpc_url
        self.state_file = Path(state_file) if state_file else None
        self.trusted = {a.lower() for a in (*trusted_multisend_call_only(), *trusted_delegates)}
        self.lock = threading.RLock()
        self.txs: dict[str, dict[str, Any]] = {}
        self.delegates: list[dict[str, Any]] = []
        self.injections: list[Injection] = []
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status) answered
        self.page_size = 100  # the most results one page holds (tests lower it)
        self._w3: Any = None
        if self.state_file and self.state_file.is_file():
            state = json.loads(self.state_file.read_text())
            self.txs, self.delegates = state.get("transactions", {}), state.get("delegates", [])

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

    def safe(self, address: str) -> dict[str, Any]:
        from eth_utils import to_checksum_address

        from upgrader.sim.safe_exec import safe_contract

        address = to_checksum_address(address)
        if not self.w3.eth.get_code(address):
            raise LookupError(f"Safe={address} does not exist or it's still not indexed")
        c = safe_contract(self.w3, address).functions
        return {"address": address, "nonce": c.nonce().call(), "threshold": c.getThreshold().call(),
                "owners": list(c.getOwners().call()), "version": c.VERSION().call(), "chain_id": self.chain_id}

    def _owner_safes(self, owners: list[str]) -> dict[str, list[str]]:
        """Owners that are Safes themselves -> their owners (one level, as the Queue Service documents)."""
        out = {}
        for owner in owners:
            if self.w3.eth.get_code(owner):
                try:
                    out[owner] = self.safe(owner)["owners"]
                except Exception:  # a contract owner that is not a Safe
                    continue
        return out

    def _approved_on_chain(self, owner: str, h: str) -> bool:
        from upgrader.sim.safe_exec import safe_contract

        return bool(safe_contract(self.w3, self._tx_safe(h)).functions.approvedHashes(owner, bytes.fromhex(h[2:])).call())

    def _tx_safe(self, h: str) -> str:
        return self.txs[h]["safe"]

    def refresh_executed(self, safe: str) -> None:
        """Mark transactions executed from the Safe's ExecutionSuccess logs (the real service indexes them)."""
        pending = [t for t in self.txs.values() if t["safe"] == safe and not t["isExecuted"]]
        if not pending:
            return
        nonce = self.safe(safe)["nonce"]
        if all(int(t["nonce"]) >= nonce for t in pending):
            return
        from upgrader.sim.safe_exec import safe_contract

        event = safe_contract(self.w3, safe).events.ExecutionSuccess()
        for log in event.get_logs(from_block=0):
            h = "0x" + bytes(log["args"]["txHash"]).hex()
            if h in self.txs and not self.txs[h]["isExecuted"]:
                self.txs[h].update(isExecuted=True, isSuccessful=True, blockNumber=int(log["blockNumber"]),
                                   transactionHash="0x" + bytes(log["transactionHash"]).hex(), executionDate=_now())
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
        except Rejected as exc:
            return exc.status, exc.body
        except LookupError as exc:
            return 404, {"detail": str(exc)}
        except InputError as exc:
            return 400, _errors(str(exc))

    def check_chain(self, given: Any) -> None:
        """Queue dialect: the chain travels in the query or body and must be this chain."""
        if given is None or str(given) != str(self.chain_id):
            raise _reject("chainId", f"chainId={given} is not served here (this service serves chain {self.chain_id})")

    # -- the rules --------------------------------------------------------------------------

    def delegators_of(self, delegate: str, safe: str, owners: list[str]) -> list[str]:
        lowered = {o.lower() for o in owners}
        return [d["delegator"] for d in self.delegates
                if d["delegate"].lower() == delegate.lower() and d["delegator"].lower() in lowered
                and (d["safe"] is None or d["safe"].lower() == safe.lower())]

    def _owner_signers(self, h: str, signature: Any, owners: list[str]) -> list[tuple[str, str, str]]:
        """(owner, signature hex, signatureType) for each signature in the blob; every one must be an owner's."""
        sigs = split_signatures(h, signature or "0x")
        if not sigs:
            raise _reject("signature", "at least one signature is required")
        out = []
        for sig in sigs:
            if sig.signer not in owners:
                raise _reject(None, f"Signer={sig.signer} is not an owner or delegate. Current owners={owners}. Delegates=[]")
            if sig.kind == "approved_hash":
                if h not in self.txs or not self._approved_on_chain(sig.signer, h):
                    raise _reject("signature", f"Owner={sig.signer} has not approved hash {h} on chain (approveHash)")
                out.append((sig.signer, sig.to_hex(), "APPROVED_HASH"))
            elif sig.kind == "contract":
                # Verifying EIP-1271 needs the owner contract's isValidSignature; the local
                # service does not, so it refuses rather than store an unchecked signature.
                raise _reject("signature", f"contract signature of {sig.signer} is not verified here; approve the hash on chain (approveHash)")
            else:
                out.append((sig.signer, sig.to_hex(), "EOA" if sig.kind == "eip712" else "ETH_SIGN"))
        return out

    def propose(self, safe: str, body: Any) -> Response:
        if not isinstance(body, dict):
            raise InputError("expected a JSON object")
        info = self.safe(safe)
        tx = SafeTx.from_json(body)
        h = "0x" + safe_tx_hash(tx, SafeDomain(info["chain_id"], info["address"], info["version"])).hex()
        given = str(body.get("contractTransactionHash", "")).lower()
        if given != h:
            raise _reject("contractTransactionHash", f"Contract-transaction-hash={h} does not match provided contract-tx-hash={given}")
        if tx.nonce < info["nonce"]:
            raise _reject("nonce", f"Nonce={tx.nonce} too low for safe={info['address']}; current on-chain nonce is {info['nonce']}")
        if tx.operation == DELEGATECALL and tx.to.lower() not in self.trusted:
            raise _reject(None, f"Operation DELEGATE_CALL is not allowed: {tx.to} is not a trusted MultiSendCallOnly")
        if h in self.txs:
            raise _reject(None, f"Tx with safe-tx-hash={h} for safe={info['address']} was already proposed", 422)
        sender = str(body.get("sender", ""))
        proposer, by_delegate, confirmations = self._proposer(h, body.get("signature"), sender, info)
        now = _now()
        self.txs[h] = {
            "safe": info["address"], **tx.to_json(), "data": "0x" + tx.data.hex() if tx.data else None,
            "nonce": str(tx.nonce), "safeTxHash": h, "proposer": proposer, "proposedByDelegate": by_delegate,
            "origin": body.get("origin"), "submissionDate": now, "modified": now, "executionDate": None,
            "blockNumber": None, "transactionHash": None, "executor": None, "isExecuted": False, "isSuccessful": None,
            "confirmationsRequired": info["threshold"], "trusted": True,
            "confirmations": [{"owner": s, "signature": sig, "signatureType": kind, "submissionDate": now,
                               "transactionHash": None} for s, sig, kind in confirmations],
        }
        self.save()
        return 201, None

    def _proposer(self, h: str, signature: Any, sender: str, info: dict[str, Any]) -> tuple[str, str | None, list[Any]]:
        """(proposer, proposedByDelegate, confirmations) for a proposal signed by ``sender``."""
        owners = info["owners"]
        sigs = split_signatures(h, signature or "0x")
        if len(sigs) == 1 and sigs[0].verified and sigs[0].signer not in owners:
            signer = sigs[0].signer
            if signer.lower() != sender.lower():
                raise _reject("sender", f"Signature does not match sender={sender}. Calculated owners=[{signer}]")
            delegators = self.delegators_of(signer, info["address"], owners)
            if delegators:
                return delegators[0], signer, []
            if any(signer in inner for inner in self._owner_safes(owners).values()):
                return signer, None, []
            raise _reject(None, f"Signer={signer} is not an owner or delegate. Current owners={owners}. "
                                f"Delegates={[d['delegate'] for d in self.delegates if d['delegator'] in owners]}")
        signers = self._owner_signers(h, signature, owners)
        if sender.lower() not in {s.lower() for s, _, _ in signers}:
            raise _reject("sender", f"Signature does not match sender={sender}. Calculated owners={[s for s, _, _ in signers]}")
        return sender, None, signers

    def confirm(self, h: str, body: Any) -> Response:
        h = h.lower()
        tx = self.txs.get(h)
        if tx is None:
            raise LookupError(f"Multisig transaction with safe-tx-hash={h} was not found")
        self.refresh_executed(tx["safe"])
        if tx["isExecuted"]:
            raise _reject("signature", f"Transaction with safe-tx-hash={h} was already executed")
        signers = self._owner_signers(h, (body or {}).get("signature"), self.safe(tx["safe"])["owners"])
        have = {c["owner"].lower() for c in tx["confirmations"]}
        for owner, sig, kind in signers:
            if owner.lower() in have:
                raise _reject("signature", f"Signature for owner={owner} already exists")
            tx["confirmations"].append({"owner": owner, "signature": sig, "signatureType": kind,
                                        "submissionDate": _now(), "transactionHash": None})
        tx["modified"] = _now()
        self.save()
        return 201, {"signature": (body or {}).get("signature")}

    def add_delegate(self, body: Any, conflict_on_repeat: bool) -> Response:
        entry, _ = self._delegate_request(body, need_label=True)
        same = [d for d in self.delegates if (d["delegate"], d["delegator"], d["safe"]) == (entry["delegate"], entry["delegator"], entry["safe"])]
        if same and conflict_on_repeat:  # the Queue Service answers 409; PATCH renames (safe-queue-service-migration)
            raise _reject(None, f"Delegate={entry['delegate']} of delegator={entry['delegator']} already exists", 409)
        for d in same:
            self.delegates.remove(d)  # the Transaction Service updates the label on a repeated POST
        self.delegates.append(entry)
        self.save()
        return 201, entry

    def remove_delegate(self, delegate: str, body: Any) -> Response:
        entry, signer = self._delegate_request({**(body or {}), "delegate": delegate}, need_label=False)
        gone = [d for d in self.delegates if d["delegate"] == entry["delegate"] and d["delegator"] == entry["delegator"]
                and (entry["safe"] is None or d["safe"] == entry["safe"])]
        if not gone:
            raise LookupError(f"Delegate={entry['delegate']} of delegator={entry['delegator']} was not found")
        for d in gone:
            self.delegates.remove(d)
        self.save()
        return 204, None

    def _delegate_request(self, body: Any, need_label: bool) -> tuple[dict[str, Any], str]:
        from upgrader.safe._values import parse_address

        if not isinstance(body, dict):
            raise InputError("expected a JSON object")
        delegate, delegator = parse_address(body.get("delegate"), "delegate"), parse_address(body.get("delegator"), "delegator")
        safe = parse_address(body["safe"], "safe") if body.get("safe") else None
        if need_label and not str(body.get("label") or "").strip():
            raise _reject("label", "This field is required.")
        signer = None
        for t in valid_totps():  # the current and the previous hour, as the real service accepts
            sig = recover_signature(delegate_message_hash(delegate, self.chain_id, t), body.get("signature") or "0x" + "00" * 65)
            if sig.verified and sig.signer in (delegator, delegate):
                signer = sig.signer
                break
        if signer is None:
            raise _reject("signature", f"Signature does not match delegator={delegator} (or the delegate) for the Delegate message of this hour")
        if need_label and signer != delegator:
            raise _reject("signature", "only the delegator can add a delegate")
        if safe and delegator not in self.safe(safe)["owners"]:
            raise _reject("delegator", f"Provided delegator={delegator} is not an owner of Safe={safe}")
        return {"delegate": delegate, "delegator": delegator, "safe": safe, "label": str(body.get("label") or "")}, signer

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
