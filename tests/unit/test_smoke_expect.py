"""Issue 21, point 5: a smoke call's ``expect`` is compared by the function's ABI output type
(stages.smoke), so an address in lower case equals the checksummed one web3 returns, a decimal
string equals the integer, hex equals the bytes; a different value never does."""

from __future__ import annotations

from eth_utils import to_checksum_address
from hypothesis import given, strategies as st

from upgrader.stages.smoke import equal_by_abi

ADDRESS = [{"name": "", "type": "address"}]
addresses = st.binary(min_size=20, max_size=20).map(lambda b: to_checksum_address("0x" + b.hex()))


@given(addresses)
def test_an_address_in_any_case_equals_the_checksummed_result(address):
    assert equal_by_abi(ADDRESS, address, address.lower()) == (True, "")
    assert equal_by_abi(ADDRESS, address, address.upper().replace("0X", "0x"))[0]


@given(addresses, addresses)
def test_another_address_is_not_equal(a, b):
    assert equal_by_abi(ADDRESS, a, b.lower())[0] == (a == b)


@given(st.integers(min_value=0, max_value=2**256 - 1))
def test_integers_by_value_whatever_the_spelling(n):
    out = [{"name": "", "type": "uint256"}]
    assert equal_by_abi(out, n, n)[0] and equal_by_abi(out, n, str(n))[0] and equal_by_abi(out, n, hex(n))[0]
    assert not equal_by_abi(out, n, n + 1)[0]


@given(st.binary(max_size=40))
def test_bytes_as_hex(data):
    out = [{"name": "", "type": "bytes"}]
    assert equal_by_abi(out, data, "0x" + data.hex().upper())[0]
    assert not equal_by_abi(out, data, "0x" + (data + b"\x01").hex())[0]


def test_several_outputs_as_a_list_or_by_name():
    outs = [{"name": "owner", "type": "address"}, {"name": "cap", "type": "uint256"}, {"name": "on", "type": "bool"}]
    owner = to_checksum_address("0x" + "ab" * 20)
    assert equal_by_abi(outs, (owner, 5000, True), [owner.lower(), "5000", "true"])[0]
    assert equal_by_abi(outs, (owner, 5000, True), {"owner": owner.lower(), "cap": 5000, "on": True})[0]
    assert not equal_by_abi(outs, (owner, 5000, True), [owner.lower(), 5000, False])[0]


def test_arrays_and_tuples_compare_element_by_element():
    out = [{"name": "", "type": "tuple[]", "components": [{"name": "a", "type": "address"}, {"name": "n", "type": "uint8"}]}]
    owner = to_checksum_address("0x" + "cd" * 20)
    assert equal_by_abi(out, [(owner, 1), (owner, 2)], [[owner.lower(), 1], {"a": owner, "n": "2"}])[0]
    assert not equal_by_abi(out, [(owner, 1)], [[owner.lower(), 1], [owner, 2]])[0]


def test_an_expect_that_is_no_value_of_the_type_says_so():
    ok, why = equal_by_abi([{"name": "", "type": "uint256"}], 5, "five")
    assert not ok and "is not a value of type uint256" in why
    assert not equal_by_abi(ADDRESS, to_checksum_address("0x" + "11" * 20), "0x1234")[0]
