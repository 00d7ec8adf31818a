"""Who signs a safeTxHash: a small seam so tests pass an eth_account key and the CLI an ape
account. Keys are never printed or written; only addresses leave this module."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from upgrader.errors import InputError
from upgrader.safe.signatures import recover_signature, sign_eip712

DEV_CHAIN_IDS = (31337, 1337)


@runtime_checkable
class Signer(Protocol):
    @property
    def address(self) -> str: ...

    def sign_hash(self, digest: bytes) -> bytes:
        """65 bytes r | s | v (v 27/28) signing the raw 32-byte safeTxHash, as signing the
        SafeTx EIP-712 typed data does."""
        ...


class KeySigner:
    """An in-memory key (an eth_account LocalAccount or 32 raw bytes)."""

    def __init__(self, account: Any) -> None:
        self._account = account
        from eth_keys import keys

        raw = bytes(getattr(account, "key", account))
        self._address = keys.PrivateKey(raw).public_key.to_checksum_address()

    @property
    def address(self) -> str:
        return self._address

    def sign_hash(self, digest: bytes) -> bytes:
        return sign_eip712(self._account, digest).to_bytes()

    def __repr__(self) -> str:
        return f"KeySigner({self._address})"


class ApeSigner:
    """An ape account: a test account on dev chains, a keyfile alias otherwise."""

    def __init__(self, account: Any) -> None:
        self._account = account

    @property
    def address(self) -> str:
        return str(self._account.address)

    def sign_hash(self, digest: bytes) -> bytes:
        from hexbytes import HexBytes

        sig = self._account.sign_raw_msghash(HexBytes(digest))
        if sig is None:
            raise InputError(f"account {self.address} declined to sign the safeTxHash")
        v = sig.v if sig.v >= 27 else sig.v + 27
        return bytes(sig.r).rjust(32, b"\0") + bytes(sig.s).rjust(32, b"\0") + bytes([v])

    def __repr__(self) -> str:
        return f"ApeSigner({self.address})"


def signed(signer: Signer, digest: bytes) -> str:
    """Sign and check the signature recovers to the signer; 0x-hex."""
    raw = signer.sign_hash(digest)
    if recover_signature(digest, raw).signer.lower() != signer.address.lower():
        raise InputError(f"the signature made by {signer.address} does not recover to it; check the account")
    return "0x" + raw.hex()


def resolve_signer(sender: str | None, chain_id: int, owners: list[str]) -> Signer:
    """``sender`` is an ape account alias, or on a dev chain an address or index of the test
    accounts (Anvil's dev mnemonic). With no sender on a dev chain: the first Safe owner
    among the test accounts."""
    try:
        from ape import accounts
    except Exception as exc:  # ape missing or its config broken
        raise InputError(f"cannot load ape accounts ({type(exc).__name__}); run `make install`") from None
    if chain_id in DEV_CHAIN_IDS:
        test = list(accounts.test_accounts)
        if sender is None:
            lowered = {o.lower() for o in owners}
            match = next((a for a in test if str(a.address).lower() in lowered), None)
            if match is None:
                raise InputError("no Safe owner among the dev test accounts; pass --sender")
            return ApeSigner(match)
        if sender.isdigit() and int(sender) < len(test):
            return ApeSigner(test[int(sender)])
        match = next((a for a in test if str(a.address).lower() == sender.lower()), None)
        if match is not None:
            return ApeSigner(match)
    if sender is None:
        raise InputError("pass --sender ALIAS (an ape account: `ape accounts list`)")
    try:
        return ApeSigner(accounts.load(sender))
    except Exception:
        raise InputError(f"no ape account {sender!r}; `ape accounts list` shows the aliases") from None
