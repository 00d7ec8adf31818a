"""Hypothesis strategies per ABI type, and for whole calls of a system.

``abi_value(type)`` draws concrete values of any ABI type (for a team's own tests).
``abstract_value(type)`` may also draw a ``Pick``: "the i-th value of this kind seen so far in
the example" (``pool.Pool``), resolved when the call is made. Integers are drawn from a mix
(``_integers``): small values (ids, counts, enum members), values seen in state and one off
them, boundaries of the type and of decimal units, and values of every magnitude that are
not round (what exposes rounding: 1e18 + 1, 3_141_592, 2**77 - 5) rather than uniformly over
the range, where almost every value is too large for any balance. Addresses come from the
actors and the addresses seen; 32-byte words from the keys seen. All of it shrinks towards
the first branch: small numbers, the first actor, the first value seen.

Weights are explicit (``weighted``): ``st.one_of`` keeps each distinct strategy object once,
so listing a branch twice does not make it twice as likely."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from upgrader.constants import ZERO_ADDRESS
from upgrader.fuzz.abi import AbiFunction, array_parts, name_key, split_tuple
from upgrader.fuzz.pool import CAP, Pool, callers, named



@dataclass(frozen=True)
class Pick:
    """The ``index``-th value of ``kind`` in the pool, plus ``offset`` for an integer, fitted to
    ``abi_type``."""

    kind: str
    index: int
    abi_type: str
    offset: int = 0


def weighted(branches: list[tuple[int, st.SearchStrategy[Any]]]) -> st.SearchStrategy[Any]:
    """A draw from one of ``branches`` chosen with probability in proportion to its weight; it
    shrinks towards the first branch."""
    entries = [strategy for weight, strategy in branches for _ in range(weight)]
    if len(entries) == 1:
        return entries[0]
    return st.sampled_from(entries).flatmap(lambda strategy: strategy)


def _int_bounds(abi_type: str) -> tuple[int, int]:
    bits = int(abi_type.removeprefix("u").removeprefix("int") or 256)
    return (0, 2**bits - 1) if abi_type.startswith("uint") else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)


def _pick(kind: str, abi_type: str) -> st.SearchStrategy[Pick]:
    return st.integers(0, CAP - 1).map(lambda i: Pick(kind, i, abi_type))


def _integers(abi_type: str, picks: bool, name: str = "") -> st.SearchStrategy[Any]:
    """``name``: the parameter's; a pick prefers the values seen under the same name (the ids
    of ``propertyId``, not the amounts)."""
    low, high = _int_bounds(abi_type)
    bits = int(abi_type.removeprefix("u").removeprefix("int") or 256)
    branches = [(3, st.integers(max(low, -2), min(high, 8)))]
    if picks:
        kind = named("int", name) if name_key(name) else "int"
        branches += [(3, _pick(kind, abi_type)), (1, _pick("int", abi_type)), (1, _near_pick(kind, abi_type))]
    branches += [(1, st.sampled_from(_edges(low, high, bits))), (2, _magnitudes(low, high, bits))]
    return weighted(branches)


def _edges(low: int, high: int, bits: int) -> list[int]:
    """The type's bounds, powers of two and of ten around each width and decimal unit."""
    near = {high, high - 1, low, low + 1}
    for b in range(8, bits, 8):
        near |= {2**b - 1, 2**b}
    for d in (3, 6, 8, 9, 12, 18, 24, 27):
        near |= {10**d - 1, 10**d, 10**d + 1}
    return sorted(v for v in near if low <= v <= high)


def _magnitudes(low: int, high: int, bits: int) -> st.SearchStrategy[int]:
    """A value of ``1..bits`` bits with random digits (negated half the time for a signed type):
    every magnitude is as likely, and almost none is round."""
    drawn = st.tuples(st.integers(1, bits), st.integers(0, 2**bits - 1), st.booleans())

    def value(t: tuple[int, int, bool]) -> int:
        size, digits, negative = t
        magnitude = (digits >> (bits - size)) | (1 << (size - 1))
        number = -magnitude if negative and low < 0 else magnitude
        return max(low, min(high, number))

    return drawn.map(value)


def _near_pick(kind: str, abi_type: str) -> st.SearchStrategy[Pick]:
    """One off, or a little off, a value seen: a balance less one, an id past the last."""
    return st.tuples(st.integers(0, CAP - 1), st.sampled_from([1, -1, 2, -2, 1000, -1000])).map(
        lambda t: Pick(kind, t[0], abi_type, t[1]))


def _address(picks: bool) -> st.SearchStrategy[Any]:
    if not picks:
        return st.binary(min_size=20, max_size=20).map(lambda b: _checksum(b))
    return st.one_of(_pick("actor", "address"), _pick("address", "address"), st.just(ZERO_ADDRESS))


def _checksum(raw: bytes) -> str:
    from eth_utils import to_checksum_address

    return to_checksum_address(raw)


def _value(abi_type: str, picks: bool, name: str = "") -> st.SearchStrategy[Any]:
    array = array_parts(abi_type)
    if array is not None:
        inner, size = array
        item = _value(inner, picks, name)
        return st.lists(item, min_size=size or 0, max_size=size if size is not None else 4)
    if abi_type.startswith("("):
        return st.tuples(*(_value(t, picks) for t in split_tuple(abi_type)))
    if abi_type.startswith(("uint", "int")):
        return _integers(abi_type, picks, name)
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


def abstract_value(abi_type: str, name: str = "") -> st.SearchStrategy[Any]:
    """Values of ``abi_type`` (of a parameter called ``name``) that may name the pool (``Pick``);
    ``resolve`` makes them concrete."""
    return _value(abi_type, picks=True, name=name)


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
        return fit_int(pick.abi_type, int(found or 0) + pick.offset)
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


def _sender(address: str | None) -> st.SearchStrategy[Pick]:
    """Any actor, or more often one of the contract's callers (who called it, or whom its
    events name): the accounts that hold what its functions need."""
    if address is None:
        return _pick("actor", "address")
    return weighted([(2, _pick(callers(address), "address")), (1, _pick("actor", "address"))])


def _ether(fn: AbiFunction) -> st.SearchStrategy[Any]:
    if not fn.payable:
        return st.just(0)
    return st.one_of(st.just(0), st.integers(1, 10**18), _pick("int", "uint96"))


def call_strategy(index: int, fn: AbiFunction, address: str | None = None) -> st.SearchStrategy[Draw]:
    """Calls of ``fn`` of contract ``index`` (at ``address``: its callers are preferred senders)."""
    names = fn.input_names or ("",) * len(fn.inputs)
    args = st.tuples(*(abstract_value(t, n) for t, n in zip(fn.inputs, names)))
    return st.tuples(_sender(address), _ether(fn), args).map(lambda t: Draw(index, fn.selector, *t))


def draws(functions: list[tuple[int, AbiFunction]], mutator_weight: int = 4,
          addresses: dict[int, str] | None = None) -> st.SearchStrategy[Draw]:
    """A call of any of ``functions`` ((contract index, function)); functions that change state
    are drawn ``mutator_weight`` times as often as views (the final views are probed anyway).
    ``addresses``: contract index -> address, for the senders (``_sender``)."""
    if not functions:
        raise ValueError("nothing to call")
    at = addresses or {}
    return weighted([(1 if fn.is_view else mutator_weight, call_strategy(index, fn, at.get(index)))
                     for index, fn in functions])


def system_draws(target: Any) -> st.SearchStrategy[Draw]:
    """A call of any fuzzable function of the system (``target.Target``): what `upgrader fuzz`
    draws at each step."""
    functions = [(i, fn) for i, c in enumerate(target.contracts) for fn in c.callable()]
    return draws(functions, addresses={i: c.address for i, c in enumerate(target.contracts)})
