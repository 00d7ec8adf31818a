"""The ABI strategies: every value drawn for a type encodes under eth_abi as that type (so a
drawn call is always a well-formed call), pool picks resolve to values of their type, and the
pool learns addresses, ids and keys from typed events and results."""

from __future__ import annotations

from eth_abi import decode, encode
from hypothesis import given, settings
from hypothesis import strategies as st

from upgrader.fuzz.pool import Pool
from upgrader.fuzz.strategies import abi_value, abstract_value, fit_int, resolve

TYPES = ["uint8", "uint256", "int8", "int256", "address", "bool", "bytes32", "bytes4", "bytes", "string",
         "uint256[]", "address[2]", "(uint256,address)", "(bool,(bytes32,uint16)[])[]"]


@settings(max_examples=60)
@given(st.sampled_from(TYPES).flatmap(lambda t: st.tuples(st.just(t), abi_value(t))))
def test_concrete_values_encode_and_round_trip(drawn) -> None:
    abi_type, value = drawn
    assert decode([abi_type], encode([abi_type], [value])) is not None


def _pool() -> Pool:
    pool = Pool()
    for a in ("0x" + "11" * 20, "0x" + "22" * 20):
        pool.add("actor", a)
    pool.add("address", "0x" + "33" * 20)
    for n in (7, 2**200, -5):
        pool.add("int", n)
    pool.add("key", b"\x01" * 32)
    return pool


@settings(max_examples=80)
@given(st.sampled_from(TYPES).flatmap(lambda t: st.tuples(st.just(t), abstract_value(t))))
def test_picks_resolve_to_values_of_their_type(drawn) -> None:
    abi_type, value = drawn
    encode([abi_type], [resolve(value, _pool())])  # a pick of 2**200 for uint8 or -5 for uint256 still fits
    encode([abi_type], [resolve(value, Pool())])  # an empty pool too


@given(st.sampled_from(["uint8", "uint64", "int8", "int128", "uint256", "int256"]), st.integers(-(2**300), 2**300))
def test_fit_int_stays_in_range(abi_type: str, number: int) -> None:
    bits = int(abi_type.removeprefix("u").removeprefix("int"))
    low, high = (0, 2**bits - 1) if abi_type.startswith("u") else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    fitted = fit_int(abi_type, number)
    assert low <= fitted <= high and (fitted == number) == (low <= number <= high)


def test_pool_learns_typed_events_and_results() -> None:
    from upgrader.fuzz.abi import event_types, functions_of
    from upgrader.keccak import keccak

    abi = [{"type": "event", "name": "Deposited", "anonymous": False,
            "inputs": [{"name": "id", "type": "uint256", "indexed": True}, {"name": "who", "type": "address", "indexed": True},
                       {"name": "amount", "type": "uint256", "indexed": False}, {"name": "note", "type": "string", "indexed": False}]},
           {"type": "function", "name": "role", "stateMutability": "view", "inputs": [], "outputs": [{"name": "", "type": "bytes32"}]}]
    pool = Pool(events=event_types(abi))
    who = "0x" + "ab" * 20
    topics = (keccak(b"Deposited(uint256,address,uint256,string)"), (42).to_bytes(32, "big"), bytes(12) + bytes.fromhex(who[2:]))
    pool.learn_log(topics, encode(["uint256", "string"], [10**21, "x"]))
    assert pool.values["int"] == [42, 10**21]
    assert pool.values["address"] == ["0x" + "Ab" * 20] or pool.values["address"][0].lower() == who
    (fn,) = functions_of(abi).values()
    pool.learn_call(fn, (), (b"\x07" * 32,))
    assert pool.values["key"] == [b"\x07" * 32]
