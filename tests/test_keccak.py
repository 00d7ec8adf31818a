"""The two Keccak-256 implementations agree, with each other and with published values."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from upgrader.keccak import keccak, keccak_pure
from upgrader.layout.namespaces import erc7201_root


def test_known_values() -> None:
    empty = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak(b"").hex() == keccak_pure(b"").hex() == empty
    # ERC-7201's own example: the root of the namespace "example.main"
    assert erc7201_root("example.main") == 0x183A6125C38840424C4A85FA12BAB2AB606C4B6D0E7CC73C0C06BA5300EAB500


@settings(max_examples=300)
@given(st.binary(max_size=600))
def test_pure_python_equals_pycryptodome(data: bytes) -> None:
    assert keccak_pure(data) == keccak(data)


def test_block_boundaries() -> None:
    for size in (134, 135, 136, 137, 271, 272, 273):
        data = bytes(range(256))[:size] if size <= 256 else bytes(size)
        assert keccak_pure(data) == keccak(data), size


def test_the_erc1967_slots_are_the_standard_labels_minus_one():
    from upgrader import constants
    from upgrader.keccak import keccak

    for label, slot in (("eip1967.proxy.implementation", constants.IMPLEMENTATION_SLOT),
                        ("eip1967.proxy.admin", constants.ADMIN_SLOT),
                        ("eip1967.proxy.beacon", constants.BEACON_SLOT)):
        assert int.from_bytes(keccak(label.encode()), "big") - 1 == slot, label
