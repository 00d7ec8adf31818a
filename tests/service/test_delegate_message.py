"""The delegate EIP-712 digest equals safe-eth-py's (Safe's own Python library, a test-only
oracle), over random delegates, chains and hours."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from upgrader.safe.delegate_message import delegate_message_hash, totp, valid_totps


@settings(max_examples=40, deadline=None)
@given(delegate=st.binary(min_size=20, max_size=20), chain_id=st.integers(1, 2**64), hour=st.integers(0, 2**40))
def test_delegate_digest_matches_safe_eth_py(delegate, chain_id, hour):
    from eth_utils import to_checksum_address
    from safe_eth.eth.eip712 import eip712_encode_hash
    from safe_eth.safe.api.transaction_service_api import transaction_service_messages as msgs

    address = to_checksum_address(delegate)
    message = msgs.get_delegate_message(address, chain_id)
    message["message"]["totp"] = hour
    assert delegate_message_hash(address, chain_id, hour) == bytes(eip712_encode_hash(message))


def test_totp_is_the_hour_and_the_previous_one_counts():
    assert totp(7200.0) == 2 and totp(7199.9) == 1
    assert valid_totps(7200.0) == (2, 1)
