"""What the Safe services answer, validated into typed values at the client boundary.

Every parser takes the decoded JSON and either returns a frozen value or raises
``BadShape`` naming the field that is missing or of the wrong type; the client turns that
into one ``ServiceBadResponse`` line (exit 2). Nothing above the client ever indexes raw
service JSON, so an HTML page or a JSON body of another shape cannot become a traceback.

Field names: the Transaction Service's response serializers (safe-global/safe-transaction-service
``safe_transaction_service/history/serializers.py`` @ 3e0199c4: SafeInfoResponseSerializer,
SafeMultisigTransactionResponseSerializer(V2), SafeMultisigConfirmationResponseSerializer,
SafeDelegateResponseSerializer, rendered camelCase; DRF's limit/offset pages
``count``/``next``/``previous``/``results``); the Queue Service's as the client gateway's zod
schemas read them (safe-global/safe-client-gateway
``src/modules/safe-queue/entities/multisig-transaction.entity.ts`` and ``delegate.entity.ts`` @
967418dc), mapped as its ``mappers/transaction.mapper.ts`` maps them (executed when ``txHash`` is
set, submission date = ``created``, confirmations required from the Safe's threshold).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TypeVar

from upgrader.errors import InputError
from upgrader.safe._values import parse_address
from upgrader.safe.tx import SafeTx

__all__ = ["BadShape", "Confirmation", "Delegate", "MultisigTx", "SafeInfo", "parse_page"]

T = TypeVar("T")


class BadShape(ValueError):
    """The JSON is not of the expected shape; the message names the field."""


class _Obj:
    """A JSON object read field by field, each read checking its type."""

    def __init__(self, obj: Any, what: str) -> None:
        if not isinstance(obj, dict):
            raise BadShape(f"{what}: expected a JSON object, got {type(obj).__name__}")
        self.obj, self.what = obj, what

    def _get(self, key: str, required: bool) -> Any:
        if key not in self.obj or self.obj[key] is None:
            if required:
                raise BadShape(f"{self.what}: field {key!r} is missing")
            return None
        return self.obj[key]

    def str(self, key: str, required: bool = True) -> str | None:
        value = self._get(key, required)
        if value is not None and not isinstance(value, str):
            raise BadShape(f"{self.what}: field {key!r} should be a string, got {type(value).__name__}")
        return value

    def int(self, key: str, required: bool = True) -> int | None:
        """An integer, or a decimal string (the services send nonces and gas as strings)."""
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, str)) or (isinstance(value, str) and not value.isdigit()):
            raise BadShape(f"{self.what}: field {key!r} should be a non-negative integer, got {value!r:.40}")
        return int(value)

    def bool(self, key: str, default: bool = False) -> bool:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise BadShape(f"{self.what}: field {key!r} should be true or false, got {value!r:.40}")
        return value

    def address(self, key: str, required: bool = True) -> str | None:
        value = self.str(key, required)
        if value is None:
            return None
        try:
            return parse_address(value, key)
        except InputError as exc:
            raise BadShape(f"{self.what}: {exc}") from None

    def hash32(self, key: str, required: bool = True) -> str | None:
        value = self.str(key, required)
        if value is None:
            return None
        text = value.lower()
        if not (text.startswith("0x") and len(text) == 66 and all(c in "0123456789abcdef" for c in text[2:])):
            raise BadShape(f"{self.what}: field {key!r} should be 0x + 64 hex digits")
        return text

    def list(self, key: str, required: bool = False) -> list[Any]:
        value = self._get(key, required)
        if value is None:
            return []
        if not isinstance(value, list):
            raise BadShape(f"{self.what}: field {key!r} should be a list, got {type(value).__name__}")
        return value


def _addresses(o: _Obj, key: str, what: str) -> tuple[str, ...]:
    return tuple(_Obj({"address": x}, what).address("address") for x in o.list(key))  # type: ignore[misc]


@dataclass(frozen=True)
class SafeInfo:
    """SafeInfoResponseSerializer: ``version`` is null when the service does not know the
    singleton, and ``1.4.1+L2`` for an L2 singleton (``l2`` here, ``version`` without it)."""

    address: str
    nonce: int
    threshold: int
    owners: tuple[str, ...]
    version: str  # "" when the service sent null
    master_copy: str | None = None
    fallback_handler: str | None = None
    guard: str | None = None
    module_guard: str | None = None
    modules: tuple[str, ...] = ()
    l2: bool = False

    @classmethod
    def from_json(cls, obj: Any) -> "SafeInfo":
        o = _Obj(obj, "Safe info")
        version, _, build = (o.str("version", False) or "").partition("+")
        return cls(o.address("address"), o.int("nonce"), o.int("threshold"), _addresses(o, "owners", "Safe info owners"),  # type: ignore[arg-type]
                   version, o.address("masterCopy", False), o.address("fallbackHandler", False), o.address("guard", False),
                   o.address("moduleGuard", False), _addresses(o, "modules", "Safe info modules"), build == "L2")


@dataclass(frozen=True)
class Confirmation:
    owner: str
    signature: str  # 0x-hex: 65 bytes for ECDSA and approved-hash, longer for a contract signature
    signature_type: str | None = None  # EOA | ETH_SIGN | APPROVED_HASH | CONTRACT_SIGNATURE
    submission_date: str | None = None

    @classmethod
    def from_json(cls, obj: Any, date_field: str = "submissionDate") -> "Confirmation":
        o = _Obj(obj, "confirmation")
        return cls(o.address("owner"), o.str("signature", False) or "0x",  # type: ignore[arg-type]
                   o.str("signatureType", False), o.str(date_field, False))


@dataclass(frozen=True)
class MultisigTx:
    """One multisig transaction as the service lists it."""

    safe: str
    tx: SafeTx
    safe_tx_hash: str
    confirmations: tuple[Confirmation, ...] = ()
    confirmations_required: int | None = None
    is_executed: bool = False
    transaction_hash: str | None = None
    block_number: int | None = None
    proposer: str | None = None
    proposed_by_delegate: str | None = None
    origin: str | None = None
    submission_date: str | None = None  # ISO 8601, when the service first saw it
    trusted: bool | None = None  # the Transaction Service: False for an unsigned proposal

    @property
    def nonce(self) -> int:
        return self.tx.nonce

    def confirmed_by(self, owner: str) -> bool:
        return any(c.owner.lower() == owner.lower() for c in self.confirmations)

    @classmethod
    def from_json(cls, obj: Any) -> "MultisigTx":
        """The Transaction Service's SafeMultisigTransactionResponseSerializer(V2)."""
        o, tx = _tx_fields(obj)
        return cls(
            safe=o.address("safe"),  # type: ignore[arg-type]
            tx=tx,
            safe_tx_hash=o.hash32("safeTxHash"),  # type: ignore[arg-type]
            confirmations=tuple(Confirmation.from_json(c) for c in o.list("confirmations")),
            confirmations_required=o.int("confirmationsRequired", False),
            is_executed=o.bool("isExecuted"),
            transaction_hash=o.str("transactionHash", False),
            block_number=o.int("blockNumber", False),
            proposer=o.address("proposer", False),
            proposed_by_delegate=o.address("proposedByDelegate", False),
            origin=o.str("origin", False),
            submission_date=o.str("submissionDate", False),
            trusted=o.bool("trusted", True) if "trusted" in obj else None,
        )

    @classmethod
    def from_queue_json(cls, obj: Any) -> "MultisigTx":
        """The Queue Service's body (SafeQueueMultisigTransactionSchema), read as the gateway's
        mapSafeQueueToMultisigTransaction reads it: executed iff ``txHash`` is not null, the
        submission date is ``created``, the origin is ``originName``; the body carries no
        confirmations required (the gateway takes the Safe's threshold) nor a block number."""
        o, tx = _tx_fields(obj)
        tx_hash = o.hash32("txHash", False)
        return cls(
            safe=o.address("safe"),  # type: ignore[arg-type]
            tx=tx,
            safe_tx_hash=o.hash32("safeTxHash"),  # type: ignore[arg-type]
            confirmations=tuple(Confirmation.from_json(c, "created") for c in o.list("confirmations")),
            is_executed=tx_hash is not None,
            transaction_hash=tx_hash,
            proposer=o.address("proposer", False),
            proposed_by_delegate=o.address("proposedByDelegate", False),
            origin=o.str("originName", False),
            submission_date=o.str("created", False),
        )


def _tx_fields(obj: Any) -> tuple[_Obj, SafeTx]:
    o = _Obj(obj, "multisig transaction")
    for key in ("to", "nonce", "operation"):
        o._get(key, True)
    try:
        return o, SafeTx.from_json(obj)
    except (InputError, KeyError, TypeError, ValueError) as exc:
        raise BadShape(f"multisig transaction: {exc}") from None


@dataclass(frozen=True)
class Delegate:
    delegate: str
    delegator: str
    safe: str | None = None  # None: the delegate acts for the delegator on every Safe
    label: str = ""
    expiry_date: str | None = None  # ISO 8601; the Transaction Service ignores a delegate past it

    @classmethod
    def from_json(cls, obj: Any) -> "Delegate":
        """SafeDelegateResponseSerializer (safe, delegate, delegator, label, expiryDate) or the
        Queue Service's delegate (the same but a nullable label, chainId, created, modified)."""
        o = _Obj(obj, "delegate")
        return cls(o.address("delegate"), o.address("delegator"), o.address("safe", False),  # type: ignore[arg-type]
                   o.str("label", False) or "", o.str("expiryDate", False))

    def expired(self, now: datetime | None = None) -> bool:
        """Past its expiry date, as SafeContractDelegateManager.get_for_safe filters them out
        (history/models.py l. 2159: expiry_date null or > now)."""
        if not self.expiry_date:
            return False
        try:
            when = datetime.fromisoformat(self.expiry_date.replace("Z", "+00:00"))
        except ValueError:
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return when <= (now or datetime.now(timezone.utc))

    def to_json(self) -> dict[str, Any]:
        return {"delegate": self.delegate, "delegator": self.delegator, "safe": self.safe, "label": self.label,
                "expiry_date": self.expiry_date}


def parse_page(obj: Any, item: Callable[[Any], T], what: str) -> tuple[list[T], str | None]:
    """A paginated list ``{"count", "next", "previous", "results"}``: the parsed items and the
    ``next`` link (absolute or relative), or None on the last page."""
    o = _Obj(obj, what)
    results = o.list("results", required=True)
    return [item(r) for r in results], o.str("next", False)
