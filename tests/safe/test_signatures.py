"""Owner signatures: each form recovers to its signer, packing sorts by owner address, and a
packed blob reads back to the same signatures."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from hypothesis import given, settings
from hypothesis import strategies as st

from upgrader.errors import InputError
from upgrader.safe import (
    approved_hash_signature,
    encode_signatures,
    recover_signature,
    sign_eip712,
    sign_eth_sign,
    split_signatures,
)
from upgrader.safe.signatures import SafeSignature, eth_sign_digest, from_personal_sign, sort_signatures

private_keys = st.integers(min_value=1, max_value=2**256 - 2**129).map(lambda n: n.to_bytes(32, "big"))
hashes32 = st.binary(min_size=32, max_size=32)


@settings(max_examples=60, deadline=None)
@given(key=private_keys, h=hashes32)
def test_eip712_and_eth_sign_recover(key, h):
    owner = Account.from_key(key).address
    direct = sign_eip712(key, h)
    assert direct.signer == owner and direct.v in (27, 28) and direct.kind == "eip712"
    assert recover_signature(h, direct.to_bytes()) == direct
    prefixed = sign_eth_sign(key, h)
    assert prefixed.signer == owner and prefixed.v in (31, 32) and prefixed.kind == "eth_sign"
    assert recover_signature(h, prefixed.to_hex()) == prefixed


def test_matches_eth_account_signing():
    account = Account.create()
    h = bytes(range(32))
    assert sign_eip712(account, h).to_bytes() == bytes(Account.unsafe_sign_hash(h, account.key).signature)
    personal = bytes(Account.sign_message(encode_defunct(primitive=h), account.key).signature)
    assert sign_eth_sign(account, h).to_bytes() == from_personal_sign(personal)
    assert eth_sign_digest(h) == Account.sign_message(encode_defunct(primitive=h), account.key).message_hash


def test_approved_hash_layout():
    owner = "0x00000000000000000000000000000000000000AA"
    sig = approved_hash_signature(owner).to_bytes()
    assert sig == bytes(12) + bytes.fromhex(owner[2:]) + bytes(32) + b"\x01"
    back = recover_signature(bytes(32), sig)
    assert (back.kind, back.signer, back.verified) == ("approved_hash", owner, False)


@st.composite
def mixed_signatures(draw):
    h = draw(hashes32)
    keys = draw(st.lists(private_keys, min_size=1, max_size=5, unique_by=lambda k: Account.from_key(k).address))
    sigs = []
    for key in keys:
        kind = draw(st.sampled_from(["eip712", "eth_sign", "approved_hash", "contract"]))
        if kind == "eip712":
            sigs.append(sign_eip712(key, h))
        elif kind == "eth_sign":
            sigs.append(sign_eth_sign(key, h))
        elif kind == "approved_hash":
            sigs.append(approved_hash_signature(Account.from_key(key).address))
        else:
            owner = Account.from_key(key).address
            sigs.append(SafeSignature(owner, "contract", int(owner, 16), 0, 0, draw(st.binary(max_size=100))))
    return h, sigs


@settings(max_examples=100, deadline=None)
@given(mixed_signatures(), st.randoms())
def test_packing_sorts_by_owner_and_reads_back(case, rnd):
    h, sigs = case
    shuffled = list(sigs)
    rnd.shuffle(shuffled)
    blob = encode_signatures(shuffled)
    back = split_signatures(h, blob)
    owners = [int(sig.signer, 16) for sig in back]
    assert owners == sorted(owners)
    assert {s.signer for s in back} == {s.signer for s in sigs}
    by_owner = {s.signer: s for s in sigs}
    for sig in back:
        original = by_owner[sig.signer]
        assert sig.kind == original.kind
        if sig.kind == "contract":
            assert sig.contract_data == original.contract_data
        else:
            assert sig == original
    assert encode_signatures(back) == blob


def test_contract_signature_offsets():
    owner_low, owner_high = "0x" + "00" * 19 + "01", "0x" + "ff" * 20
    low = SafeSignature(owner_low, "contract", int(owner_low, 16), 0, 0, b"\xde\xad")
    high = approved_hash_signature(owner_high)
    blob = encode_signatures([high, low])
    assert int.from_bytes(blob[32:64], "big") == 130  # s of the contract signature -> after 2 static parts
    assert blob[130:162] == (2).to_bytes(32, "big") and blob[162:] == b"\xde\xad"


def test_duplicate_owner_refused():
    key = b"\x01" * 32
    with pytest.raises(InputError, match="same owner"):
        sort_signatures([sign_eip712(key, bytes(32)), sign_eth_sign(key, bytes(32))])


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"\x00" * 64, "stray bytes"),
        (b"\x00" * 64 + b"\x05", "v = 5"),
        (b"\x01" * 32 + b"\x00" * 32 + b"\x01", "not a left-padded address"),
        (bytes(12) + b"\x11" * 20 + (999).to_bytes(32, "big") + b"\x00", "out of bounds"),
    ],
)
def test_malformed_blobs(blob, message):
    with pytest.raises(InputError, match=message):
        split_signatures(bytes(32), blob)


def test_bad_ecdsa_values_are_input_errors():
    with pytest.raises(InputError):
        recover_signature(bytes(32), b"\xff" * 64 + b"\x1b")
    with pytest.raises(InputError, match="32 bytes"):
        sign_eip712(b"\x01" * 32, b"\x00" * 31)
