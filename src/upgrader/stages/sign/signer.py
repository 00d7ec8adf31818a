"""Who signs a SafeTx: a small seam so tests pass an eth_account key and the CLI an ape account.

Owners sign the SafeTx as EIP-712 typed data (``eth_signTypedData_v4``: the domain and message
``review`` shows), so a hardware wallet can show what it signs; signing the bare safeTxHash is
only done when asked for (``--raw-hash``). Before signing, the typed data is hashed here and
must equal the safeTxHash being confirmed.

ape keyfile accounts are unlocked from ``APE_ACCOUNTS_<alias>_PASSPHRASE`` (ape's own variable,
read by ``KeyfileAccount.unlock``) or, on a terminal, by a prompt; every prompt of ape goes to
stderr. No terminal and no passphrase is an input error. Keys are never printed or written;
only addresses leave this module.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from upgrader.chain import strict_abi
from upgrader.keccak import keccak
from upgrader.errors import InputError
from upgrader.safe.signatures import recover_signature, sign_eip712

DEV_CHAIN_IDS = (31337, 1337)
PASSPHRASE_ENV = "APE_ACCOUNTS_{alias}_PASSPHRASE"


@runtime_checkable
class Signer(Protocol):
    @property
    def address(self) -> str: ...

    def sign_typed(self, typed: dict[str, Any]) -> bytes:
        """65 bytes r | s | v (v 27/28) over the EIP-712 typed data (eth_signTypedData_v4)."""
        ...

    def sign_hash(self, digest: bytes) -> bytes:
        """65 bytes r | s | v (v 27/28) over the raw 32-byte safeTxHash (``--raw-hash`` only)."""
        ...


def _rsv(sig: Any) -> bytes:
    """r | s | v from an eth_account SignedMessage (ints) or an ape MessageSignature (bytes)."""
    def word(x: Any) -> bytes:
        return (int.from_bytes(bytes(x), "big") if isinstance(x, (bytes, bytearray)) else int(x)).to_bytes(32, "big")

    return word(sig.r) + word(sig.s) + bytes([sig.v if sig.v >= 27 else sig.v + 27])


def signable(typed: dict[str, Any]) -> Any:
    from eth_account.messages import encode_typed_data

    return encode_typed_data(full_message=typed)


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

    def sign_typed(self, typed: dict[str, Any]) -> bytes:
        from eth_account import Account

        return _rsv(Account.sign_message(signable(typed), bytes(getattr(self._account, "key", self._account))))

    def sign_hash(self, digest: bytes) -> bytes:
        return sign_eip712(self._account, digest).to_bytes()

    def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        from eth_account import Account

        return bytes(Account.sign_transaction(tx, bytes(getattr(self._account, "key", self._account))).raw_transaction)

    def __repr__(self) -> str:
        return f"KeySigner({self._address})"


@contextlib.contextmanager
def prompts_on_stderr() -> Iterator[None]:
    """ape (click) prompts and confirms on stdout; stdout is for results (``--json``). And what
    ape loaded meanwhile leaves eth_abi's uint decoding strict (``upgrader.chain.strict_abi``)."""
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        strict_abi.restore()


class ApeSigner:
    """An ape account: a test account on dev chains, a keyfile alias (or a plugin's hardware
    wallet account) otherwise."""

    def __init__(self, account: Any) -> None:
        self._account = account
        self._ready = False

    @property
    def address(self) -> str:
        return str(self._account.address)

    def unlock(self) -> None:
        """A keyfile account signs without prompts once unlocked: from its passphrase variable,
        or from a prompt on a terminal; otherwise one line saying what to set."""
        if self._ready or not hasattr(self._account, "set_autosign"):
            self._ready = True
            return
        alias = getattr(self._account, "alias", "?")
        var = PASSPHRASE_ENV.format(alias=alias)
        if not os.environ.get(var) and not sys.stdin.isatty():
            raise InputError(f"account {alias!r} is locked and there is no terminal to ask; set {var}")
        try:
            with prompts_on_stderr():
                self._account.set_autosign(True)  # ape's unlock reads the variable, else prompts
        except Exception as exc:  # ape's InvalidPasswordError / AccountsError, or an aborted prompt
            raise InputError(f"could not unlock account {alias!r} ({type(exc).__name__}); check {var}") from None
        self._ready = True

    def sign_typed(self, typed: dict[str, Any]) -> bytes:
        self.unlock()
        with prompts_on_stderr():
            sig = self._account.sign_message(signable(typed))
        if sig is None:
            raise InputError(f"account {self.address} declined to sign the SafeTx")
        return _rsv(sig)

    def sign_hash(self, digest: bytes) -> bytes:
        from hexbytes import HexBytes

        self.unlock()
        if not sys.stdin.isatty() and hasattr(self._account, "set_autosign"):
            raise InputError("ape asks to confirm raw-hash signing on a terminal; sign typed data (drop --raw-hash)")
        with prompts_on_stderr():
            sig = self._account.sign_raw_msghash(HexBytes(digest))
        if sig is None:
            raise InputError(f"account {self.address} declined to sign the safeTxHash")
        return _rsv(sig)

    def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        """The raw signed EIP-1559 transaction, from an ape transaction object."""
        from ape_ethereum.transactions import DynamicFeeTransaction

        self.unlock()
        txn = DynamicFeeTransaction(
            chainId=tx["chainId"], nonce=tx["nonce"], receiver=tx["to"], value=tx.get("value", 0),
            data=tx["data"], gas=tx["gas"], maxFeePerGas=tx["maxFeePerGas"],
            maxPriorityFeePerGas=tx["maxPriorityFeePerGas"], sender=self.address,
        )
        with prompts_on_stderr():
            signed_txn = self._account.sign_transaction(txn)
        if signed_txn is None or signed_txn.signature is None:
            raise InputError(f"account {self.address} declined to sign the transaction")
        return bytes(signed_txn.serialize_transaction())

    def __repr__(self) -> str:
        return f"ApeSigner({self.address})"


def signed(signer: Signer, digest: bytes, typed: dict[str, Any] | None = None, raw_hash: bool = False) -> str:
    """Sign (typed data unless ``raw_hash``) and check the signature recovers to the signer; 0x-hex."""
    if raw_hash or typed is None:
        raw = signer.sign_hash(digest)
    else:
        if bytes(signable_hash(typed)) != digest:
            raise InputError("the typed data to sign does not hash to the safeTxHash; nothing was signed")
        raw = signer.sign_typed(typed)
    if recover_signature(digest, raw).signer.lower() != signer.address.lower():
        raise InputError(f"the signature made by {signer.address} does not recover to it; check the account")
    return "0x" + raw.hex()


def signable_hash(typed: dict[str, Any]) -> bytes:
    msg = signable(typed)
    return keccak(b"\x19" + msg.version + msg.header + msg.body)


def ape_accounts() -> Any:
    """ape's account manager, with ape's project bound to an empty folder of its own first.

    On first use ape's managers load the project of the *current folder* (even the number of
    test accounts is a project setting). In a Foundry repository that reads ``.gitmodules``, and
    ape's ``FoundryProject`` asks api.github.com for each submodule's default branch, retrying
    with backoff for minutes (ape 0.8.51: ``ape/utils/basemodel.py``
    ``ManagerAccessMixin.local_project`` is ``ProjectManager(Path.cwd())``;
    ``ape_pm/project.py`` ``FoundryProject._parse_version_from_module`` calls
    ``ape/utils/_github.py`` ``_GithubClient.get_repo``). Signing needs no project: keyfile
    accounts live in ape's data folder and test accounts come from the test mnemonic, so the
    user's folder is never read and no host but the configured RPCs and Safe service is asked.
    """
    try:
        from ape.managers.project import ProjectManager
        from ape.utils.basemodel import ManagerAccessMixin
    except Exception as exc:  # ape missing or broken
        raise InputError(f"cannot load ape accounts ({type(exc).__name__}); run `make install`") from None
    slot = ManagerAccessMixin.__dict__.get("local_project")
    if not hasattr(slot, "_cache"):  # ape's cached-manager descriptor (`manager_access`)
        raise InputError("this ape version loads its project differently; reinstall with `make install`")
    if slot._cache is None:  # not loaded yet in this process: bind it before anything asks
        slot._cache = ProjectManager(_empty_project())
    try:
        from ape import accounts
    except Exception as exc:
        raise InputError(f"cannot load ape accounts ({type(exc).__name__}); run `make install`") from None
    return accounts


def _empty_project() -> Path:
    """A fresh empty folder for ape's project, removed when the process ends."""
    import atexit
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="upgrader-ape-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def resolve_signer(sender: str | None, chain_id: int, owners: list[str]) -> Signer:
    """``sender`` is an ape account alias, or on a dev chain an address or index of the test
    accounts (Anvil's dev mnemonic). With no sender on a dev chain: the first Safe owner
    among the test accounts."""
    try:
        return _resolve_signer(sender, chain_id, owners)
    finally:
        strict_abi.restore()  # loading ape's accounts made eth_abi's uint decoding lenient (upgrader.chain.strict_abi)


def _resolve_signer(sender: str | None, chain_id: int, owners: list[str]) -> Signer:
    accounts = ape_accounts()
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
