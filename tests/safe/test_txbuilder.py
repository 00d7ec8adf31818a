"""Transaction Builder batch files: the app's checksum on its own test vector, add/validate
round trips, tamper detection, and reading a file back as calls."""

from __future__ import annotations

import copy
import json

import pytest
from eth_abi import encode as abi_encode
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from upgrader.errors import InputError, UnsafeError
from upgrader.safe import Call, add_checksum, batch_calls, build_batch_file, calculate_checksum, validate_checksum
from upgrader.safe.abi_values import decode_call, encode_call, method_from_abi, selector, signature
from upgrader.safe.strategies import addresses, amounts, calldata
from upgrader.safe.txbuilder import dump_batch_file, load_batch_file, serialize

# The app's own unit test (checksum.test.js) expects this from addChecksum(batchFileObject).
APP_ADD_CHECKSUM = "0x4ecbfd364aa6759983915644e73f8bd411e85a2dc306f252a387c2728c4db64c"
SAFE = "0xDF8a1Ce35c9a6ACE153B4e0767942f1E2291a1Aa"


def test_serialisation_reproduces_the_vector_figures(checksum_vector):
    batch, expected = checksum_vector["batch_file"], checksum_vector["expected"]
    as_given = "0x" + keccak(serialize(batch).encode()).hex()
    assert as_given == expected["hash_of_object_as_given_with_empty_checksum_key"]
    without = copy.deepcopy(batch)
    del without["meta"]["checksum"]
    assert "0x" + keccak(serialize(without).encode()).hex() == expected["hash_without_meta_checksum_key"]


def test_checksum_is_the_apps(checksum_vector):
    # calculateChecksum nulls meta.name before hashing (so renaming keeps the checksum).
    assert calculate_checksum(checksum_vector["batch_file"]) == APP_ADD_CHECKSUM


def test_serialisation_format():
    assert serialize({"b": [1, True, None], "a": "x\"y"}) == '{["a","b"]"x\\"y",[1,true,null],}'
    assert serialize({"é": "ü", "Z": 1.0}) == '{["Z","é"]1,"ü",}'


def test_key_order_does_not_matter(checksum_vector):
    batch = checksum_vector["batch_file"]
    reversed_batch = {k: batch[k] for k in reversed(list(batch))}
    reversed_batch["meta"] = {k: batch["meta"][k] for k in reversed(list(batch["meta"]))}
    assert calculate_checksum(reversed_batch) == calculate_checksum(batch)


def test_add_then_validate(checksum_vector):
    signed = add_checksum(checksum_vector["batch_file"])
    assert validate_checksum(signed) == {"present": True, "valid": True}
    assert checksum_vector["batch_file"]["meta"]["checksum"] == ""  # input untouched
    assert validate_checksum(checksum_vector["batch_file"]) == {"present": False, "valid": False}
    renamed = copy.deepcopy(signed)
    renamed["meta"]["name"] = "another name"
    assert validate_checksum(renamed)["valid"]


@st.composite
def batch_files(draw):
    n = draw(st.integers(min_value=1, max_value=4))
    calls = [Call(draw(addresses), draw(calldata), draw(amounts)) for _ in range(n)]
    return build_batch_file(
        chain_id=draw(st.integers(min_value=1, max_value=10**9)), safe=draw(addresses), calls=calls,
        name=draw(st.text(max_size=20)), description=draw(st.text(max_size=40)),
        created_at_ms=draw(st.integers(min_value=0, max_value=2**45)),
    )


@settings(max_examples=60, deadline=None)
@given(batch_files())
def test_written_files_validate_and_survive_json(batch):
    assert validate_checksum(batch) == {"present": True, "valid": True}
    reloaded = load_batch_file(dump_batch_file(batch))
    assert validate_checksum(reloaded)["valid"]
    assert all(isinstance(tx["value"], str) for tx in reloaded["transactions"])
    assert isinstance(reloaded["chainId"], str)


@settings(max_examples=60, deadline=None)
@given(batch_files(), st.data())
def test_any_change_to_a_transaction_is_detected(batch, data):
    tampered = copy.deepcopy(batch)
    tx = data.draw(st.sampled_from(tampered["transactions"]))
    field = data.draw(st.sampled_from(["to", "value", "data"]))
    original = tx[field]
    replacement = data.draw({"to": addresses, "value": amounts.map(str), "data": calldata.map(lambda b: "0x" + b.hex())}[field])
    if replacement == original:
        return
    tx[field] = replacement
    assert validate_checksum(tampered) == {"present": True, "valid": False}


def test_reordering_transactions_is_detected(checksum_vector):
    signed = add_checksum(checksum_vector["batch_file"])
    signed["transactions"].reverse()
    assert not validate_checksum(signed)["valid"]


def test_batch_calls_from_the_vector(checksum_vector):
    calls = batch_calls(checksum_vector["batch_file"])
    owner = "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6"
    assert calls[0].data.hex() == "42f45790" + "00" * 12 + owner[2:].lower()
    assert calls[1].data.hex() == "e8dde232" + "00" * 32  # testBool(false)
    assert calls[2].value == 2 * 10**18 and calls[2].data == calls[0].data


UPGRADE = {
    "type": "function", "name": "upgradeToAndCall", "stateMutability": "payable",
    "inputs": [{"name": "newImplementation", "type": "address", "internalType": "address"},
               {"name": "data", "type": "bytes", "internalType": "bytes"}],
}


def test_entries_carry_contract_method_and_agree_with_data():
    method = method_from_abi(UPGRADE)
    assert signature(method) == "upgradeToAndCall(address,bytes)" and method["payable"] is True
    impl = "0x" + "ab" * 20
    data = encode_call(method, {"newImplementation": impl, "data": "0x8129fc1c"})
    batch = build_batch_file(chain_id=31337, safe=SAFE, calls=[Call(SAFE, data)], methods=[method],
                             name="upgrade", created_at_ms=1)
    entry = batch["transactions"][0]
    assert entry["data"] == "0x" + data.hex() and entry["value"] == "0"
    assert set(entry["contractInputsValues"]) == {"newImplementation", "data"}
    assert entry["contractInputsValues"]["data"] == "0x8129fc1c"
    assert entry["contractInputsValues"]["newImplementation"].lower() == impl
    assert batch_calls(batch) == [Call(SAFE, data)]


def test_data_that_disagrees_with_the_shown_method_is_unsafe():
    method = method_from_abi(UPGRADE)
    shown = encode_call(method, {"newImplementation": "0x" + "11" * 20, "data": "0x"})
    batch = build_batch_file(chain_id=1, safe=SAFE, calls=[Call(SAFE, shown)], methods=[method], created_at_ms=1)
    batch["transactions"][0]["contractInputsValues"]["newImplementation"] = "0x" + "22" * 20
    with pytest.raises(UnsafeError, match="does not match"):
        batch_calls(batch)


def test_method_only_entries_are_encoded():
    method = method_from_abi(UPGRADE)
    batch = {"meta": {}, "transactions": [{"to": SAFE, "value": "0", "data": None, "contractMethod": method,
                                           "contractInputsValues": {"newImplementation": SAFE, "data": "0x"}}]}
    assert batch_calls(batch)[0].data == encode_call(method, {"newImplementation": SAFE, "data": "0x"})


COMPLEX = {
    "type": "function", "name": "f", "stateMutability": "nonpayable",
    "inputs": [
        {"name": "xs", "type": "uint256[]"},
        {"name": "t", "type": "tuple", "components": [{"name": "who", "type": "address"}, {"name": "ok", "type": "bool"},
                                                     {"name": "tag", "type": "bytes32"}]},
        {"name": "flags", "type": "bool[2]"},
        {"name": "s", "type": "string"},
        {"name": "n", "type": "int128"},
    ],
}


@settings(max_examples=80, deadline=None)
@given(
    xs=st.lists(st.integers(min_value=0, max_value=2**256 - 1), max_size=4), who=addresses, ok=st.booleans(),
    tag=st.binary(min_size=32, max_size=32), flags=st.lists(st.booleans(), min_size=2, max_size=2),
    s=st.text(max_size=20), n=st.integers(min_value=-(2**127), max_value=2**127 - 1),
)
def test_contract_inputs_values_round_trip(xs, who, ok, tag, flags, s, n):
    method = method_from_abi(COMPLEX)
    types = ["uint256[]", "(address,bool,bytes32)", "bool[2]", "string", "int128"]
    data = selector(method) + abi_encode(types, [xs, (who, ok, tag), flags, s, n])
    values = decode_call(method, data)
    assert all(isinstance(v, str) for v in values.values())
    assert encode_call(method, values) == data
    json.loads(values["xs"])


@pytest.mark.parametrize(
    ("values", "message"),
    [({"newImplementation": "0x12", "data": "0x"}, "newImplementation"),
     ({"data": "0x"}, "no value for input"),
     ({"newImplementation": SAFE, "data": "0xzz"}, "not hex")],
)
def test_bad_values_are_input_errors(values, message):
    with pytest.raises(InputError, match=message):
        encode_call(method_from_abi(UPGRADE), values)


def test_load_rejects_non_batch_files():
    with pytest.raises(InputError, match="not valid JSON"):
        load_batch_file("{")
    with pytest.raises(InputError, match="meta"):
        load_batch_file("[]")
