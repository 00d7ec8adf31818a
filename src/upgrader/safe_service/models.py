"""What the Safe services answer, validated into typed values at the client boundary.

Every parser takes the decoded JSON and either returns a frozen value or raises
``BadShape`` naming the field that is missing or of the wrong type; the client turns that
into one ``ServiceBadResponse`` line (exit 2). Nothing above the client ever indexes raw
service JSON, so an HTML page or a JSON body of another shape cannot become a traceback.

Field names follow Safe's API reference (``SafeMultisigTransactionResponse``,
``SafeDelegateResponse``, paginated lists with ``next``/``results``); the Queue Service is
documented to keep those shapes (docs.safe.global/core-api/safe-queue-service-migration).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class SafeInfo:
    address: str
    nonce: int
    threshold: int
    owners: tuple[str, ...]
    version: str

    @classmethod
    def from_json(cls, obj: Any) -> "SafeInfo":
        o = _Obj(obj, "Safe info")
        owners = tuple(_Obj({"owner": x}, "Safe info owners").address("owner") for x in o.list("owners"))
        return cls(o.address("address"), o.int("nonce"), o.int("threshold"), owners,  # type: ignore[arg-type]
                   (o.str("version", False) or "").split("+", 1)[0])


@dataclass(frozen=True)
class Confirmation:
    owner: str
    signature: str  # 0x-hex: 65 bytes for ECDSA and approved-hash, longer for a contract signature
    signature_type: str | None = None  # EOA | ETH_SIGN | APPROVED_HASH | CONTRACT_SIGNATURE
    submission_date: str | None = None

    @classmethod
    def from_json(cls, obj: Any) -> "Confirmation":
        o = _Obj(obj, "confirmation")
        return cls(o.address("owner"), o.str("signature", False) or "0x",  # type: ignore[arg-type]
                   o.str("signatureType", False), o.str("submissionDate", False))


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

    @property
    def nonce(self) -> int:
        return self.tx.nonce

    def confirmed_by(self, owner: str) -> bool:
        return any(c.owner.lower() == owner.lower() for c in self.confirmations)

    @classmethod
    def from_json(cls, obj: Any) -> "MultisigTx":
        o = _Obj(obj, "multisig transaction")
        for key in ("to", "nonce", "operation"):
            o._get(key, True)
        try:
            tx = SafeTx.from_json(obj)
        except (InputError, KeyError, TypeError, ValueError) as exc:
            raise BadShape(f"multisig transaction: {exc}") from None
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
        )


@dataclass(frozen=True)
class Delegate:
    delegate: str
    delegator: str
    safe: str | None = None  # None: the delegate acts for the delegator on every Safe
    label: str = ""

    @classmethod
    def from_json(cls, obj: Any) -> "Delegate":
        o = _Obj(obj, "delegate")
        return cls(o.address("delegate"), o.address("delegator"), o.address("safe", False),  # type: ignore[arg-type]
                   o.str("label", False) or "")

    def to_json(self) -> dict[str, Any]:
        return {"delegate": self.delegate, "delegator": self.delegator, "safe": self.safe, "label": self.label}


def parse_page(obj: Any, item: Callable[[Any], T], what: str) -> tuple[list[T], str | None]:
    """A paginated list ``{"count", "next", "previous", "results"}``: the parsed items and the
    ``next`` link (absolute or relative), or None on the last page."""
    o = _Obj(obj, what)
    results = o.list("results", required=True)
    return [item(r) for r in results], o.str("next", False)
