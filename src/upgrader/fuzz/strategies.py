"""Hypothesis strategies per ABI type, and for whole calls of a system.

``abi_value(type)`` draws concrete values of any ABI type (for a team's own tests).
``abstract_value(type)`` may also draw a ``Pick``: "the i-th value of this kind seen so far in
the example" (``pool.Pool``), resolved when the call is made. Integers lean on small values
(ids, counts, enum members) and boundaries before the whole range; addresses come from the
actors and the addresses seen; 32-byte words from the keys seen. All of it shrinks towards
the first branch: small numbers, the first actor, the first value seen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from upgrader.fuzz.abi import AbiFunction, array_parts, split_tuple
from upgrader.fuzz.pool import CAP, Pool

ZERO_ADDRESS = "0x" + "00" * 20


@dataclass(frozen=True)
class Pick:
    """The ``index``-th value of ``kind`` in the pool, fitted to ``abi_type``."""

    kind: str
    index: int
    abi_type: str


def _int_bounds(abi_type: str) -> tuple[int, int]:
    bits = int(abi_type.removeprefix("u").removeprefix("int") or 256)
    return (0, 2**bits - 1) if abi_type.startswith("uint") else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)


def _pick(kind: str, abi_type: str) -> st.SearchStrategy[Pick]:
    return st.integers(0, CAP - 1).map(lambda i: Pick(kind, i, abi_type))


def _integers(abi_type: str, picks: bool) -> st.SearchStrategy[Any]:
    low, high = _int_bounds(abi_type)
    edges = sorted({v for v in (1, 2, high, high - 1, low, 10**6, 10**18, 10**18 + 1, 2**64, 2**128) if low <= v <= high})
    branches = [st.integers(max(low, -2), min(high, 8))]
    if picks:
        branches.append(_pick("int", abi_type))
    branches += [st.sampled_from(edges), st.integers(low, high)]
    return st.one_of(*branches)


def _address(picks: bool) -> st.SearchStrategy[Any]:
    if not picks:
        return st.binary(min_size=20, max_size=20).map(lambda b: _checksum(b))
    return st.one_of(_pick("actor", "address"), _pick("address", "address"), st.just(ZERO_ADDRESS))


def _checksum(raw: bytes) -> str:
    from eth_utils import to_checksum_address

    return to_checksum_address(raw)


def _value(abi_type: str, picks: bool) -> st.SearchStrategy[Any]:
    array = array_parts(abi_type)
    if array is not None:
        inner, size = array
        item = _value(inner, picks)
        return st.lists(item, min_size=size or 0, max_size=size if size is not None else 4)
    if abi_type.startswith("("):
        return st.tuples(*(_value(t, picks) for t in split_tuple(abi_type)))
    if abi_type.startswith(("uint", "int")):
        return _integers(abi_type, picks)
    if abi_type == "address":
        return _address(picks)
    if abi_type == "bool":
        return st.booleans()
    if abi_type == "string":
        return st.text(max_size=16)
    if abi_type == "bytes":
        return st.binary(max_size=64)
    if abi_type.startswith("bytes"):
        size = int(abi_type[5:])
        raw = st.binary(min_size=size, max_size=size)
        if picks and size == 32:
            return st.one_of(_pick("key", abi_type), raw)
        return raw
    raise ValueError(f"no strategy for ABI type {abi_type!r}")


def abi_value(abi_type: str) -> st.SearchStrategy[Any]:
    """Concrete values of ``abi_type`` as eth_abi encodes them (``"(uint256,address)[]"`` too)."""
    return _value(abi_type, picks=False)


def abstract_value(abi_type: str) -> st.SearchStrategy[Any]:
    """Values of ``abi_type`` that may name the pool (``Pick``); ``resolve`` makes them concrete."""
    return _value(abi_type, picks=True)


def resolve(value: Any, pool: Pool) -> Any:
    if isinstance(value, Pick):
        return _fit(value, pool.pick(value.kind, value.index))
    if isinstance(value, list):
        return [resolve(v, pool) for v in value]
    if isinstance(value, tuple):
        return tuple(resolve(v, pool) for v in value)
    return value


def _fit(pick: Pick, found: Any) -> Any:
    """A pool value as a value of the pick's type; the pool's kind may be empty (a zero value)."""
    if pick.abi_type == "address":
        return found if found is not None else ZERO_ADDRESS
    if pick.abi_type.startswith(("uint", "int")):
        return fit_int(pick.abi_type, int(found or 0))
    return bytes(found) if found is not None else bytes(32)


def fit_int(abi_type: str, number: int) -> int:
    """``number`` as a value of the integer type ``abi_type`` (its low bits when too wide)."""
    low, high = _int_bounds(abi_type)
    if low <= number <= high:
        return number
    return number & high if low == 0 else (number & (2 * high + 1)) + low


@dataclass(frozen=True)
class Draw:
    """One call, abstract: which contract and function, who sends, the ether sent, arguments."""

    contract: int
    selector: bytes
    sender: Pick
    value: Any
    args: tuple[Any, ...]


def _sender() -> st.SearchStrategy[Pick]:
    return _pick("actor", "address")


def _ether(fn: AbiFunction) -> st.SearchStrategy[Any]:
    if not fn.payable:
        return st.just(0)
    return st.one_of(st.just(0), st.integers(1, 10**18), _pick("int", "uint96"))


def call_strategy(index: int, fn: AbiFunction) -> st.SearchStrategy[Draw]:
    args = st.tuples(*(abstract_value(t) for t in fn.inputs))
    return st.tuples(_sender(), _ether(fn), args).map(lambda t: Draw(index, fn.selector, *t))


def draws(functions: list[tuple[int, AbiFunction]], mutator_weight: int = 4) -> st.SearchStrategy[Draw]:
    """A call of any of ``functions`` ((contract index, function)); functions that change state
    are drawn ``mutator_weight`` times as often as views (the final views are probed anyway)."""
    branches = []
    for index, fn in functions:
        one = call_strategy(index, fn)
        branches += [one] * (1 if fn.is_view else mutator_weight)
    if not branches:
        raise ValueError("nothing to call")
    return st.one_of(*branches)
