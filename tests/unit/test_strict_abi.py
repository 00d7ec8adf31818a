"""ape's import pads short uint data in eth_abi's process-wide registry (ape/utils/abi.py,
``_ApeUnsignedIntegerDecoder``); after upgrader signs through ape, decoding stays strict, and
"is this a Safe" reads the raw answer. Found in full-suite order: a contract that stops on
``getThreshold()`` (answering nothing) was taken for a Safe once an earlier test had signed, and
its storage was decoded with the Safe's layout."""

from __future__ import annotations

import sys

import pytest
from web3 import Web3

from upgrader.chain import strict_abi
from upgrader.keccak import keccak

ANVIL_ACCOUNT0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"  # of Anvil's (and ape's) test mnemonic
STOPS = "0x" + "6005611234" "55" "00"  # writes a slot and stops: answers every call with nothing


def _lenient() -> bool:
    try:
        Web3().codec.decode(["uint256"], b"")
    except Exception:
        return False
    return True


def test_signing_through_ape_leaves_uint_decoding_strict():
    from upgrader.stages.sign.signer import resolve_signer, signed

    signer = resolve_signer(None, 31337, [ANVIL_ACCOUNT0])
    digest = keccak(b"upgrader")
    assert signed(signer, digest, raw_hash=True).startswith("0x")
    assert "ape.utils.abi" in sys.modules  # ape did load the decoder it registers at import
    assert not _lenient()


def test_restore_undoes_apes_decoder_and_is_idempotent():
    import ape.utils.abi  # noqa: F401  (registers ape's decoder, if not yet)
    from eth_abi.registry import registry

    registry.unregister("uint")  # ape's registration again, whatever ran before
    registry.register(ape.utils.abi.BaseEquals("uint"), ape.utils.abi.UnsignedIntegerEncoder,
                      ape.utils.abi._ApeUnsignedIntegerDecoder, label="uint")
    assert _lenient()
    strict_abi.restore()
    strict_abi.restore()
    assert not _lenient()
    assert Web3().codec.decode(["uint256"], (7).to_bytes(32, "big")) == (7,)


@pytest.mark.chain
def test_a_contract_that_answers_nothing_is_no_safe_even_with_a_lenient_decoder(chain, anvil):
    import ape.utils.abi
    from eth_abi.registry import registry

    from upgrader.chain.rpc import connect
    from upgrader.sim.runner import is_safe

    target = "0x00000000000000000000000000000000005AFE00"
    chain.w3.provider.make_request("anvil_setCode", [target, STOPS])
    registry.unregister("uint")
    registry.register(ape.utils.abi.BaseEquals("uint"), ape.utils.abi.UnsignedIntegerEncoder,
                      ape.utils.abi._ApeUnsignedIntegerDecoder, label="uint")
    try:
        w3 = connect(anvil.url)  # a Web3 copies the registry when made, as the fork's is after signing
        assert not is_safe(w3, target)
        assert is_safe(w3, chain.safe)
    finally:
        strict_abi.restore()
