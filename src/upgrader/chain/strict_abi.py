"""eth_abi's own strict ``uint`` decoding, kept after ape loads.

Importing ape's ABI helpers replaces the ``uint`` decoder of eth_abi's process-wide default
registry with one that pads short data instead of refusing it (ape 0.8.51
``ape/utils/abi.py``: ``_ApeUnsignedIntegerDecoder``, registered at import). Every Web3 made
afterwards copies that registry (web3 7.16 ``web3/_utils/abi.py`` ``build_strict_registry``
starts from ``default_registry.copy()``), so an empty return from a contract that lacks the
function decodes as 0 instead of raising: a contract that stops on ``getThreshold()`` would
pass for a Safe with threshold 0, and any "does it answer X" probe becomes yes.

``restore()`` puts eth_abi's decoder back (idempotent; a no-op when ape never replaced it).
upgrader only signs through ape, which decodes no ABI data to do it."""

from __future__ import annotations


def restore() -> None:
    from eth_abi import decoding, encoding
    from eth_abi.registry import BaseEquals, registry

    if type(registry.get_decoder("uint256")) is decoding.UnsignedIntegerDecoder:
        return
    registry.unregister("uint")
    registry.register(BaseEquals("uint"), encoding.UnsignedIntegerEncoder, decoding.UnsignedIntegerDecoder, label="uint")
