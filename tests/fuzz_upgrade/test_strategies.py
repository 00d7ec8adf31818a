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


def test_weights_count() -> None:
    """``draws`` gives a function that changes state ``mutator_weight`` times the chance of a view:
    ``st.one_of`` keeps each strategy object once, so repeating a branch there weighs nothing
    (the fuzzer drew deposit() as often as a constant's getter until this held)."""
    from hypothesis import HealthCheck

    from upgrader.fuzz.abi import functions_of
    from upgrader.fuzz.strategies import draws

    abi = [{"type": "function", "name": "deposit", "stateMutability": "nonpayable",
            "inputs": [{"name": "id", "type": "uint256"}], "outputs": []},
           {"type": "function", "name": "total", "stateMutability": "view",  # the same inputs: as many distinct calls
            "inputs": [{"name": "id", "type": "uint256"}], "outputs": [{"name": "", "type": "uint256"}]}]
    deposit, total = functions_of(abi).values()
    seen = {deposit.selector: 0, total.selector: 0}

    @settings(max_examples=400, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(draws([(0, deposit), (0, total)], mutator_weight=4))
    def count(draw) -> None:
        seen[draw.selector] += 1

    count()
    share = seen[deposit.selector] / sum(seen.values())
    assert 0.7 < share < 0.9, seen  # 4/5 expected; 1/2 when the weight is lost


def test_named_picks_and_callers_fall_back() -> None:
    """A pick under a parameter's name takes the values seen under that name (ids apart from
    amounts), and its base kind while there are none; a contract's callers fall back to the actors."""
    from upgrader.fuzz.pool import callers, named
    from upgrader.fuzz.strategies import Pick

    pool = _pool()
    pool.add(named("int", "_propertyId"), 3)
    assert resolve(Pick("int:propertyid", 5, "uint256"), pool) == 3
    assert resolve(Pick("int:propertyid", 0, "uint256", offset=1), pool) == 4
    assert resolve(Pick("int:amount", 0, "uint256"), pool) == 7  # nothing named amount yet: any integer
    vault = "0x" + "44" * 20
    assert pool.pick(callers(vault), 1) == "0x" + "22" * 20
    pool.add(callers(vault), "0x" + "22" * 20)
    assert pool.pick(callers(vault), 0) == pool.pick(callers(vault), 7) == "0x" + "22" * 20


@settings(max_examples=200)
@given(st.sampled_from(["uint8", "uint64", "uint256", "int8", "int256"]).flatmap(lambda t: st.tuples(st.just(t), abi_value(t))))
def test_integers_stay_in_their_type(drawn) -> None:
    abi_type, value = drawn
    assert fit_int(abi_type, value) == value
