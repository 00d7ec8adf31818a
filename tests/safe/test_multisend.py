"""MultiSend encoding: round trips (flat and nested), the exact byte layout, strict decoding,
and the batch builder."""

from __future__ import annotations

import pytest
from eth_abi import encode as abi_encode
from hypothesis import given, settings
from hypothesis import strategies as st

from upgrader.errors import InputError
from upgrader.safe import (
    MULTISEND_CALL_ONLY_1_4_1,
    Batch,
    Call,
    decode_multisend,
    decode_nested,
    encode_multisend,
)
from upgrader.safe.multisend import MULTISEND_SELECTOR, decode_packed, encode_packed
from upgrader.safe.strategies import call_lists, calls

A = "0x1111111111111111111111111111111111111111"
B = "0x2222222222222222222222222222222222222222"
MULTISEND = "0x38869bf66a61cF6bDB996A6aE40D5853Fd43B526"


def test_selector_is_multisend_bytes():
    from eth_utils import keccak

    assert MULTISEND_SELECTOR == keccak(b"multiSend(bytes)")[:4] == bytes.fromhex("8d80ff0a")


def test_packed_layout_byte_by_byte():
    packed = encode_packed([Call(A, b"\x12\x34", 5, 0), Call(B, b"", 0, 1)])
    first = "00" + A[2:] + f"{5:064x}" + f"{2:064x}" + "1234"
    second = "01" + B[2:] + f"{0:064x}" + f"{0:064x}"
    assert packed.hex() == (first + second).lower()
    assert encode_multisend([Call(A)]) == MULTISEND_SELECTOR + abi_encode(["bytes"], [encode_packed([Call(A)])])


@settings(max_examples=150, deadline=None)
@given(call_lists())
def test_round_trip(batch):
    assert decode_multisend(encode_multisend(batch)) == batch
    assert decode_packed(encode_packed(batch)) == batch


@st.composite
def nested_calls(draw, depth: int = 3) -> Call:
    """A call that is either plain or a DELEGATECALL to a MultiSend of further such calls."""
    if depth == 0 or not draw(st.booleans()):
        return draw(calls())
    inner = draw(st.lists(nested_calls(depth - 1), min_size=1, max_size=4))
    return Call(MULTISEND, encode_multisend(inner), 0, 1)


def _leaves_by_hand(call: Call) -> list[Call]:
    if call.data[:4] == MULTISEND_SELECTOR:
        return [leaf for child in decode_multisend(call.data) for leaf in _leaves_by_hand(child)]
    return [call]


@settings(max_examples=100, deadline=None)
@given(nested_calls())
def test_nested_decoding_reaches_every_leaf(call):
    tree = decode_nested(call)
    assert tree.leaves() == _leaves_by_hand(call)
    for _, node in tree.walk():
        assert node.error is None
        if node.is_batch:
            assert encode_multisend([child.call for child in node.inner]) == node.call.data


def test_nested_batch_shape():
    inner = Call(MULTISEND, encode_multisend([Call(A, b"\x01"), Call(B, b"\x02")]), 0, 1)
    outer = Call(MULTISEND, encode_multisend([Call(A, b"\xaa"), inner]), 0, 1)
    tree = decode_nested(outer)
    depths = [(d, node.call.to, node.is_batch) for d, node in tree.walk()]
    assert depths == [(0, MULTISEND, True), (1, A, False), (1, MULTISEND, True), (2, A, False), (2, B, False)]


def test_malformed_batch_is_reported_not_raised_when_nested():
    broken = MULTISEND_SELECTOR + abi_encode(["bytes"], [b"\x00" * 10])
    node = decode_nested(Call(MULTISEND, broken, 0, 1))
    assert not node.is_batch and "truncated" in node.error


@pytest.mark.parametrize(
    ("packed", "message"),
    [
        (b"\x00" * 84, "truncated"),
        (b"\x02" + b"\x00" * 84, "operation 2"),
        (b"\x00" + b"\x11" * 20 + bytes(32) + (5).to_bytes(32, "big") + b"\x01", "claims 5 data bytes"),
    ],
)
def test_strict_packed_decoding(packed, message):
    with pytest.raises(InputError, match=message):
        decode_packed(packed)


def test_strict_calldata_decoding():
    good = encode_multisend([Call(A)])
    with pytest.raises(InputError, match="selector"):
        decode_multisend(b"\x00" * 4 + good[4:])
    with pytest.raises(InputError, match="canonical"):
        decode_multisend(good + b"\x00" * 32)
    with pytest.raises(InputError):
        decode_multisend(good[:40])


def test_batch_builder_one_call_is_direct():
    tx = Batch().add_call(A, "0x1234", value=3).to_safe_tx(MULTISEND_CALL_ONLY_1_4_1, nonce=9)
    assert (tx.to, tx.data, tx.value, tx.operation, tx.nonce) == (A, b"\x12\x34", 3, 0, 9)


def test_batch_builder_several_calls_delegatecall_multisend_call_only():
    batch = Batch().add_call(A, "0x01").add_call(B, b"\x02", value=7)
    assert len(batch) == 2
    tx = batch.to_safe_tx(MULTISEND_CALL_ONLY_1_4_1, nonce=4)
    assert (tx.to, tx.value, tx.operation, tx.nonce) == (MULTISEND_CALL_ONLY_1_4_1, 0, 1, 4)
    assert decode_multisend(tx.data) == [Call(A, b"\x01"), Call(B, b"\x02", 7)]
    assert decode_nested(tx).leaves() == list(batch.calls)


def test_empty_batch_is_refused():
    with pytest.raises(InputError, match="empty"):
        Batch().to_safe_tx(MULTISEND_CALL_ONLY_1_4_1, nonce=0)
    with pytest.raises(InputError):
        encode_multisend([])
