"""The MultiSendCallOnly a Safe's batches go through, found on chain.

It is the only DELEGATECALL target a batch may use, so an address is recorded only when the
code there is Safe's MultiSendCallOnly: the canonical deployments of the Safe's release
(safe-global/safe-deployments, pinned with their code hashes in ``safe.addresses``), and the
deterministic deployment ``upgrader safe create`` makes on a chain without them (ape-safe's
bytecode of that release through the CREATE2 deployer, ``deploy.safe``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eth_utils import to_checksum_address

from upgrader.errors import InputError
from upgrader.keccak import keccak
from upgrader.safe.addresses import KNOWN_CONTRACTS

if TYPE_CHECKING:
    from web3 import Web3


def _bundled(version: str) -> tuple[str, str] | None:
    """(address, code hash) of ape-safe's MultiSendCallOnly of ``version`` as `safe create` deploys it."""
    from upgrader.deploy.safe import deterministic_address, runtime_hash
    from upgrader.errors import SetupError

    try:
        return deterministic_address("MultiSendCallOnly", version), runtime_hash("MultiSendCallOnly", version)
    except (KeyError, FileNotFoundError, SetupError):
        return None


def known_code_hashes() -> set[str]:
    hashes = {c.code_hash.lower() for c in KNOWN_CONTRACTS if c.kind == "MultiSendCallOnly" and c.code_hash}
    for version in {c.version for c in KNOWN_CONTRACTS if c.kind == "MultiSendCallOnly"}:
        if (bundled := _bundled(version)) is not None:
            hashes.add(bundled[1].lower())
    return hashes


def _code_hash(w3: "Web3", address: str) -> str | None:
    code = bytes(w3.eth.get_code(to_checksum_address(address)))
    return "0x" + keccak(code).hex() if code else None


def candidates(version: str) -> list[tuple[str, str]]:
    """(address, expected code hash) where the release's MultiSendCallOnly may be."""
    out = [(c.address, c.code_hash) for c in KNOWN_CONTRACTS
           if c.kind == "MultiSendCallOnly" and c.version == version and c.code_hash]
    if (bundled := _bundled(version)) is not None:
        out.append(bundled)
    return out


def find_multisend(w3: "Web3", version: str, given: str | None = None) -> str:
    """``given`` when its code is a MultiSendCallOnly, else the release's on this chain; an
    input error naming ``--multisend`` when there is none."""
    if given is not None:
        if _code_hash(w3, given) not in known_code_hashes():
            raise InputError(f"--multisend {given}: the code there is not Safe's MultiSendCallOnly (1.3.0 or 1.4.1); "
                             "pass the MultiSendCallOnly the Safe's batches use")
        return to_checksum_address(given)
    for address, expected in candidates(version):
        if _code_hash(w3, address) == expected.lower():
            return to_checksum_address(address)
    chain = int(w3.eth.chain_id)
    raise InputError(f"Safe {version}'s MultiSendCallOnly is at none of its known addresses on chain {chain}; "
                     "pass --multisend ADDRESS (the MultiSendCallOnly the Safe's batches use)")
