"""Hypothesis strategies for Safe transactions and batches, shared by the unit tests and the
Anvil test that compares our hash with the deployed Safe's ``getTransactionHash``.

Imports hypothesis; nothing in the library imports this module.
"""

from __future__ import annotations

from hypothesis import strategies as st
from eth_utils import to_checksum_address

from upgrader.constants import ZERO_ADDRESS
from upgrader.safe.multisend import Call
from upgrader.safe.tx import KNOWN_SAFE_VERSIONS, SafeDomain, SafeTx

UINT256 = st.integers(min_value=0, max_value=2**256 - 1)
# Mostly small numbers (what real transactions carry), sometimes the full range.
amounts = st.one_of(st.integers(min_value=0, max_value=10**24), UINT256)
addresses = st.binary(min_size=20, max_size=20).map(to_checksum_address)
calldata = st.binary(max_size=300)
operations = st.sampled_from([0, 1])
safe_versions = st.sampled_from(KNOWN_SAFE_VERSIONS)


@st.composite
def safe_txs(draw: st.DrawFn, to: st.SearchStrategy[str] = addresses, gas_fields: bool = True) -> SafeTx:
    """Arbitrary SafeTxs. ``gas_fields=False`` keeps safeTxGas/baseGas/gasPrice/gasToken/
    refundReceiver at zero, as every transaction upgrader proposes has them."""
    return SafeTx(
        to=draw(to),
        value=draw(amounts),
        data=draw(calldata),
        operation=draw(operations),
        safe_tx_gas=draw(amounts) if gas_fields else 0,
        base_gas=draw(amounts) if gas_fields else 0,
        gas_price=draw(amounts) if gas_fields else 0,
        gas_token=draw(addresses) if gas_fields else ZERO_ADDRESS,
        refund_receiver=draw(addresses) if gas_fields else ZERO_ADDRESS,
        nonce=draw(amounts),
    )


@st.composite
def safe_domains(draw: st.DrawFn, versions: st.SearchStrategy[str] = safe_versions) -> SafeDomain:
    return SafeDomain(
        chain_id=draw(st.integers(min_value=1, max_value=2**64)),
        safe=draw(addresses),
        version=draw(versions),
    )


def calls(operation: st.SearchStrategy[int] = operations) -> st.SearchStrategy[Call]:
    return st.builds(Call, to=addresses, data=calldata, value=amounts, operation=operation)


def call_lists(min_size: int = 1, max_size: int = 6) -> st.SearchStrategy[list[Call]]:
    return st.lists(calls(), min_size=min_size, max_size=max_size)
