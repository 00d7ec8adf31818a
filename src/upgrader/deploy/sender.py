"""Who sends the transactions of ``safe create`` and ``handover``: an account the node has
unlocked (a dev chain's test accounts), or an ape account alias whose key signs here
(EIP-1559 fees, gas estimated with a margin: ``chain.broadcast``)."""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from eth_utils import is_hex_address, to_checksum_address

from upgrader.errors import InputError, TransactionFailed

if TYPE_CHECKING:
    from web3 import Web3

WAIT_S = 180.0


@dataclass(frozen=True)
class Sender:
    w3: "Web3"
    address: str
    signer: Any = None  # None: the node signs (the account is unlocked there)

    def send(self, to: str, data: bytes) -> Any:
        """Send a call and wait for its receipt; a revert is an error naming the transaction."""
        if self.signer is None:
            from upgrader.chain.rpc import send

            try:
                return send(self.w3, {"from": self.address, "to": to_checksum_address(to), "data": "0x" + data.hex()})
            except TransactionFailed as exc:
                raise InputError(f"{exc} (sent by {self.address} to {to})") from None
        from upgrader.chain import broadcast

        tx = broadcast.build(self.w3, self.address, to, data)
        raw = self.signer.sign_transaction(tx)
        broadcast.send_raw(self.w3, raw)
        receipt = broadcast.await_inclusion(self.w3, [raw], WAIT_S)
        if receipt is None:
            raise InputError(f"transaction {broadcast.tx_hash_of(raw)} was not included within {WAIT_S:.0f} s; run the command again")
        if int(receipt["status"]) != 1:
            raise InputError(f"transaction {broadcast.tx_hash_of(raw)} reverted (sent by {self.address} to {to})")
        return receipt


def unlocked(w3: "Web3") -> list[str]:
    try:
        return [to_checksum_address(a) for a in w3.eth.accounts]
    except Exception:  # a public node without eth_accounts
        return []


def open_sender(w3: "Web3", sender: str | None, default: str | None = None,
                resolve_alias: Callable[[str], Any] | None = None) -> Sender:
    """``sender``: an address or index of an account the node unlocked, or an account alias
    (``resolve_alias`` gives its signer: the CLI passes ape's); None: ``default`` (or the node's
    first account) when the node has it unlocked."""
    accounts = unlocked(w3)
    if sender is None:
        wanted = default or (accounts[0] if accounts else None)
        if wanted is not None and to_checksum_address(wanted) in accounts:
            return Sender(w3, to_checksum_address(wanted))
        who = f" ({default})" if default else ""
        raise InputError(f"the node has no unlocked account to send from{who}; pass --sender ALIAS (an ape account)")
    if sender.isdigit() and int(sender) < len(accounts):
        return Sender(w3, accounts[int(sender)])
    if is_hex_address(sender) and to_checksum_address(sender) in accounts:
        return Sender(w3, to_checksum_address(sender))
    if resolve_alias is None:
        raise InputError(f"--sender {sender}: not an account the node unlocked")
    signer = resolve_alias(sender)
    return Sender(w3, to_checksum_address(signer.address), signer)
