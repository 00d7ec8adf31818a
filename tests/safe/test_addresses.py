"""Safe infrastructure addresses: well-formed, unique, and named."""

from __future__ import annotations

from eth_utils import to_checksum_address

from upgrader.safe.addresses import (
    KNOWN_CONTRACTS,
    MULTISEND_1_3_0,
    MULTISEND_CALL_ONLY_1_3_0,
    MULTISEND_CALL_ONLY_1_3_0_EIP155,
    MULTISEND_CALL_ONLY_1_4_1,
    address_of,
    is_multisend,
    is_trusted_multisend_call_only,
    name_of,
    trusted_multisend_call_only,
)


def test_literals_are_valid_eip55():
    # A mistyped digit would almost surely break the mixed-case checksum of the literal.
    for contract in KNOWN_CONTRACTS:
        assert to_checksum_address(contract.address) == contract.address, contract


def test_addresses_are_unique():
    assert len({c.address for c in KNOWN_CONTRACTS}) == len(KNOWN_CONTRACTS)


def test_multisend_call_only_addresses():
    assert MULTISEND_CALL_ONLY_1_3_0 == "0x40A2aCCbd92BCA938b02010E17A5b8929b49130D"
    assert MULTISEND_CALL_ONLY_1_3_0_EIP155 == "0xA1dabEF33b3B82c7814B6D82A79e50F4AC44102B"
    assert MULTISEND_CALL_ONLY_1_4_1 == "0x9641d764fc13c8B624c04430C7356C1C7C8102e2"
    assert set(trusted_multisend_call_only()) == {
        MULTISEND_CALL_ONLY_1_3_0, MULTISEND_CALL_ONLY_1_3_0_EIP155, MULTISEND_CALL_ONLY_1_4_1}


def test_name_of_is_case_insensitive_and_tells_apart_multisend_kinds():
    assert name_of(MULTISEND_CALL_ONLY_1_4_1.lower()) == "Safe MultiSendCallOnly 1.4.1"
    assert name_of(MULTISEND_CALL_ONLY_1_3_0_EIP155) == "Safe MultiSendCallOnly 1.3.0, eip155"
    assert name_of(MULTISEND_1_3_0) == "Safe MultiSend 1.3.0"
    assert is_multisend(MULTISEND_1_3_0) and not is_trusted_multisend_call_only(MULTISEND_1_3_0)
    assert name_of(address_of("Safe", "1.4.1")) == "Safe 1.4.1"
    assert name_of(address_of("SafeL2", "1.3.0", "eip155")) == "SafeL2 1.3.0, eip155"
    assert name_of("0x4e59b44847b379578588920cA78FbF26c0B4956C") == "CREATE2Deployer"
    assert name_of("0x" + "12" * 20) is None and name_of("garbage") is None
