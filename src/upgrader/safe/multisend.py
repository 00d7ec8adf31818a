"""MultiSend / MultiSendCallOnly batches: encoding, decoding (nested) and a batch builder.

``multiSend(bytes transactions)`` takes the calls packed back to back, each as

    uint8 operation | address to (20 bytes) | uint256 value | uint256 dataLength | data

MultiSendCallOnly reverts on operation 1; MultiSend executes it, so a batch can DELEGATECALL a
second MultiSend and nest. Decoding follows such nesting so that a review sees every call.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode

from upgrader.errors import InputError
from upgrader.safe._values import checksum_address, parse_address, parse_hex_bytes, parse_uint
from upgrader.safe.tx import CALL, DELEGATECALL, SafeTx, parse_operation

MULTISEND_SELECTOR = bytes.fromhex("8d80ff0a")  # keccak256("multiSend(bytes)")[:4]
_HEADER = 1 + 20 + 32 + 32
MAX_NESTING = 8


@dataclass(frozen=True)
class Call:
    """One call of a batch (or one Safe transaction's payload)."""

    to: str
    data: bytes = b""
    value: int = 0
    operation: int = CALL

    def __post_init__(self) -> None:
        object.__setattr__(self, "to", parse_address(self.to, "call target"))
        object.__setattr__(self, "data", parse_hex_bytes(self.data, "call data"))
        object.__setattr__(self, "value", parse_uint(self.value, "call value"))
        object.__setattr__(self, "operation", parse_operation(self.operation))

    @classmethod
    def of(cls, tx: SafeTx) -> "Call":
        return cls(tx.to, tx.data, tx.value, tx.operation)

    @property
    def selector(self) -> bytes:
        return self.data[:4]


def encode_packed(calls: Sequence[Call]) -> bytes:
    """The packed ``transactions`` argument of ``multiSend``."""
    parts = []
    for call in calls:
        parts.append(
            bytes([call.operation])
            + bytes.fromhex(call.to[2:])
            + call.value.to_bytes(32, "big")
            + len(call.data).to_bytes(32, "big")
            + call.data
        )
    return b"".join(parts)


def encode_multisend(calls: Sequence[Call]) -> bytes:
    """Calldata for ``multiSend(bytes)``."""
    if not calls:
        raise InputError("a MultiSend batch needs at least one call")
    return MULTISEND_SELECTOR + abi_encode(["bytes"], [encode_packed(calls)])


def decode_packed(packed: bytes) -> list[Call]:
    """Inverse of ``encode_packed``. Truncated or trailing bytes and operations other than
    0/1 raise InputError: the contracts would revert on them."""
    calls: list[Call] = []
    i = 0
    while i < len(packed):
        if len(packed) - i < _HEADER:
            raise InputError(f"MultiSend data truncated in the header of call {len(calls)} (offset {i})")
        operation = packed[i]
        if operation not in (CALL, DELEGATECALL):
            raise InputError(f"MultiSend call {len(calls)} has operation {operation} (only 0 and 1 exist)")
        to = checksum_address(packed[i + 1 : i + 21])
        value = int.from_bytes(packed[i + 21 : i + 53], "big")
        length = int.from_bytes(packed[i + 53 : i + 85], "big")
        start = i + _HEADER
        if length > len(packed) - start:
            raise InputError(f"MultiSend call {len(calls)} claims {length} data bytes but only {len(packed) - start} remain")
        calls.append(Call(to, packed[start : start + length], value, operation))
        i = start + length
    return calls


def is_multisend_calldata(data: bytes) -> bool:
    return data[:4] == MULTISEND_SELECTOR


def decode_multisend(data: bytes | str) -> list[Call]:
    """The calls inside ``multiSend(bytes)`` calldata (one level; see ``decode_nested``)."""
    raw = parse_hex_bytes(data, "MultiSend calldata")
    if not is_multisend_calldata(raw):
        raise InputError("data is not a multiSend(bytes) call (selector 0x8d80ff0a)")
    body = raw[4:]
    try:
        (packed,) = abi_decode(["bytes"], body)
    except Exception as exc:  # eth_abi raises several unrelated types on bad input
        raise InputError(f"multiSend argument is not valid ABI-encoded bytes: {exc}") from None
    if abi_encode(["bytes"], [packed]) != body:
        raise InputError("multiSend calldata is not in canonical ABI encoding (odd offset or trailing bytes)")
    return decode_packed(packed)


@dataclass(frozen=True)
class DecodedCall:
    """A call and, when it is itself a MultiSend batch, the calls it runs."""

    call: Call
    inner: tuple["DecodedCall", ...] | None = None
    error: str | None = None  # why data that looked like a batch could not be decoded

    @property
    def is_batch(self) -> bool:
        return self.inner is not None

    def walk(self, depth: int = 0) -> Iterator[tuple[int, "DecodedCall"]]:
        """Depth-first: this node, then its inner calls (depth + 1)."""
        yield depth, self
        for child in self.inner or ():
            yield from child.walk(depth + 1)

    def leaves(self) -> list[Call]:
        """The calls that actually do something: every non-batch call, in execution order."""
        return [node.call for _, node in self.walk() if not node.is_batch]


def decode_nested(call: Call | SafeTx, max_depth: int = MAX_NESTING) -> DecodedCall:
    """Decode a call (or a whole Safe transaction) recursively through MultiSend batches.

    Any call whose data starts with the multiSend selector is opened, whatever its target and
    operation: whether the target is a trusted MultiSendCallOnly, and whether the operation
    is a DELEGATECALL, is for the review to judge from ``call.to`` and ``call.operation``."""
    root = Call.of(call) if isinstance(call, SafeTx) else call
    return _decode(root, max_depth)


def _decode(call: Call, depth_left: int) -> DecodedCall:
    if not is_multisend_calldata(call.data):
        return DecodedCall(call)
    if depth_left <= 0:
        return DecodedCall(call, error=f"MultiSend nested deeper than {MAX_NESTING} levels")
    try:
        children = decode_multisend(call.data)
    except InputError as exc:
        return DecodedCall(call, error=str(exc))
    return DecodedCall(call, tuple(_decode(child, depth_left - 1) for child in children))


class Batch:
    """A fluent builder of the calls a Safe should make, in order.

        tx = Batch().add_call(proxy, upgrade_data).add_call(other, data).to_safe_tx(msco, nonce=7)

    One call becomes a direct CALL from the Safe; several become one DELEGATECALL to a
    MultiSendCallOnly, which runs them as CALLs from the Safe."""

    def __init__(self, calls: Sequence[Call] = ()) -> None:
        self._calls: list[Call] = list(calls)

    def add_call(self, to: str, data: bytes | str = b"", value: int = 0) -> "Batch":
        self._calls.append(Call(to, data, value, CALL))
        return self

    @property
    def calls(self) -> tuple[Call, ...]:
        return tuple(self._calls)

    def __len__(self) -> int:
        return len(self._calls)

    def multisend_data(self) -> bytes:
        return encode_multisend(self._calls)

    def to_safe_tx(self, multisend_address: str, nonce: int) -> SafeTx:
        if not self._calls:
            raise InputError("the batch is empty: add at least one call")
        if len(self._calls) == 1:
            only = self._calls[0]
            return SafeTx(to=only.to, value=only.value, data=only.data, operation=CALL, nonce=nonce)
        return SafeTx(
            to=multisend_address,
            value=0,
            data=self.multisend_data(),
            operation=DELEGATECALL,
            nonce=nonce,
        )
