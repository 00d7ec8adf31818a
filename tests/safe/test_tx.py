"""EIP-712 SafeTx hashing: the public vector, the per-version type strings, and agreement with
an independent EIP-712 implementation (eth_account) for generated transactions."""

from __future__ import annotations

import re

import pytest
from eth_account.messages import encode_typed_data as reference_encode
from eth_utils import keccak
from hypothesis import given, settings

from upgrader.errors import InputError
from upgrader.safe import SafeDomain, SafeTx, domain_hash, hashes, message_hash, safe_tx_hash
from upgrader.safe.strategies import safe_domains, safe_txs
from upgrader.safe.tx import encode_typed_data, parse_version, safe_tx_typehash, typed_data

SAFE = "0x111CEEee040739fD91D29C34C33E6B3E112F2177"


def vector_tx(v: dict) -> SafeTx:
    return SafeTx(
        to=v["to"], value=v["value"], data=v["data"], operation=v["operation"],
        safe_tx_gas=v["safe_tx_gas"], base_gas=v["base_gas"], gas_price=v["gas_price"],
        gas_token=v["gas_token"], refund_receiver=v["refund_receiver"], nonce=v["nonce"],
    )


def test_public_vector_reproduces(safe_tx_vector):
    v = safe_tx_vector
    domain = SafeDomain(v["chain_id"], v["safe"], v["safe_version"])
    result = hashes(vector_tx(v), domain).to_json()
    assert result["domain_hash"].startswith(v["expected"]["domain_hash_prefix"])
    assert result["message_hash"].startswith(v["expected"]["message_hash_prefix"])
    assert result["safe_tx_hash"] == v["expected"]["safe_tx_hash"]


def test_typehashes_are_the_safe_contract_constants():
    # DOMAIN_SEPARATOR_TYPEHASH and SAFE_TX_TYPEHASH as the Safe contracts declare them.
    assert SafeDomain(1, SAFE, "1.3.0").typehash.hex() == "47e79534a245952e8b16893a336b85a3d9ea9fa8c573f3d803afb92a79469218"
    assert SafeDomain(1, SAFE, "1.2.0").typehash.hex() == "035aff83d86937d35b32e04f0ddc6ff469290eef2f1b692d8a815c89404d4749"
    assert safe_tx_typehash("1.4.1").hex() == "bb8310d486368db6bd6f849402fdd73ad53d316b5a4b2644ad6efe0f941286d8"
    assert safe_tx_typehash("1.0.0").hex() == "bb8310d486368db6bd6f849402fdd73ad53d316b5a4b2644ad6efe0f941286d8"
    assert safe_tx_typehash("0.1.0").hex() == "14d461bc7412367e924637b363c7bf29b8f47e2f84869f4426e5633d8af47b20"


@pytest.mark.parametrize(
    ("version", "has_chain_id", "data_gas"),
    [("0.1.0", False, True), ("1.0.0", False, False), ("1.1.1", False, False), ("1.2.0", False, False),
     ("1.3.0", True, False), ("1.4.1", True, False), ("1.5.0", True, False), ("1.3.0+L2", True, False)],
)
def test_version_rules(version, has_chain_id, data_gas):
    domain = SafeDomain(5, SAFE, version)
    assert domain.has_chain_id is has_chain_id
    assert domain.uses_data_gas is data_gas


def test_chain_id_only_matters_from_1_3_0(safe_tx_vector):
    tx = vector_tx(safe_tx_vector)
    assert domain_hash(SafeDomain(1, SAFE, "1.2.0")) == domain_hash(SafeDomain(137, SAFE, "1.2.0"))
    assert domain_hash(SafeDomain(1, SAFE, "1.3.0")) != domain_hash(SafeDomain(137, SAFE, "1.3.0"))
    # pre-1.3 domain: keccak256(abi.encode(typehash, safe)), written out independently
    pre = SafeDomain(1, SAFE, "1.2.0")
    expected = keccak(keccak(b"EIP712Domain(address verifyingContract)") + bytes(12) + bytes.fromhex(SAFE[2:]))
    assert pre.separator == expected
    assert message_hash(tx, "0.1.0") != message_hash(tx, "1.0.0")
    assert message_hash(tx, "1.0.0") == message_hash(tx, "1.4.1")


@settings(max_examples=150, deadline=None)
@given(tx=safe_txs(), domain=safe_domains())
def test_hash_matches_eth_account_typed_data(tx, domain):
    signable = reference_encode(full_message=typed_data(tx, domain))
    assert signable.header == domain.separator
    assert signable.body == message_hash(tx, domain.version)
    assert keccak(b"\x19" + signable.version + signable.header + signable.body) == safe_tx_hash(tx, domain)
    assert encode_typed_data(tx, domain) == b"\x19\x01" + signable.header + signable.body


@settings(max_examples=50, deadline=None)
@given(tx=safe_txs())
def test_json_round_trip(tx):
    assert SafeTx.from_json(tx.to_json()) == tx


def test_normalises_inputs():
    tx = SafeTx(to=SAFE.lower(), value="0x10", data="0xABCD", operation="delegatecall", nonce="7")
    assert tx.to == SAFE and tx.value == 16 and tx.data == b"\xab\xcd" and tx.operation == 1 and tx.nonce == 7


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"to": "0x1234"}, "not a 20-byte hex address"),
        ({"to": SAFE.replace("C", "c", 1)}, "wrong EIP-55 checksum"),
        ({"operation": 2}, "expected 0 (CALL) or 1 (DELEGATECALL)"),
        ({"value": -1}, "out of range"),
        ({"nonce": 2**256}, "out of range"),
        ({"data": "0x123"}, "odd number of digits"),
        ({"data": "0xzz"}, "is not hex"),
        ({"gas_token": "nope"}, "gasToken"),
    ],
)
def test_bad_fields_raise_input_error(fields, message):
    base = {"to": SAFE, "nonce": 0}
    with pytest.raises(InputError, match=re.escape(message)):
        SafeTx(**{**base, **fields})


def test_unknown_version_and_bad_domain():
    with pytest.raises(InputError, match="unknown Safe version"):
        SafeDomain(1, SAFE, "1.2.1")
    with pytest.raises(InputError, match="safe"):
        SafeDomain(1, "0xnope", "1.4.1")
    assert parse_version("v1.4.1") == (1, 4, 1)


def test_nonce_is_required():
    with pytest.raises(TypeError):
        SafeTx(to=SAFE)  # type: ignore[call-arg]
