"""What ``upgrader safe-hash`` reports: the three hashes a hardware wallet shows, the fields
they cover, and the few things about the raw fields a signer must not miss."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from upgrader.safe.addresses import is_trusted_multisend_call_only, name_of
from upgrader.safe.multisend import decode_nested
from upgrader.safe.tx import DELEGATECALL, SafeDomain, SafeTx, encode_typed_data, hashes
from upgrader.safe._values import ZERO_ADDRESS


@dataclass(frozen=True)
class SafeHashReport:
    tx: SafeTx
    domain: SafeDomain
    domain_hash: str
    message_hash: str
    safe_tx_hash: str
    encoded_data: str
    warnings: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "domain_hash": self.domain_hash,
            "message_hash": self.message_hash,
            "safe_tx_hash": self.safe_tx_hash,
            "encoded_data": self.encoded_data,
            "chain_id": self.domain.chain_id,
            "safe": self.domain.safe,
            "safe_version": self.domain.version,
            "domain_has_chain_id": self.domain.has_chain_id,
            "tx": self.tx.to_json(),
            "to_name": name_of(self.tx.to),
            "batch_calls": _batch_size(self.tx),
            "warnings": list(self.warnings),
        }


def _batch_size(tx: SafeTx) -> int | None:
    node = decode_nested(tx)
    return len(node.leaves()) if node.is_batch else None


def warnings_for(tx: SafeTx, domain: SafeDomain) -> list[str]:
    found = []
    if tx.operation == DELEGATECALL:
        if _batch_size(tx) == 0:
            found.append(f"DELEGATECALL to {tx.to} with an EMPTY MultiSend batch: nothing to approve, yet code runs as the Safe; do not sign")
        elif is_trusted_multisend_call_only(tx.to):
            found.append(f"DELEGATECALL to {name_of(tx.to)} (a batch; it cannot DELEGATECALL further)")
        else:
            target = name_of(tx.to) or "an unknown contract"
            found.append(
                f"DELEGATECALL to {tx.to} ({target}): that code runs with the Safe's own storage "
                "and can replace its owners or singleton"
            )
    if tx.to == domain.safe:
        found.append("the Safe calls itself: this changes its own settings (owners, threshold, modules, ...)")
    if tx.gas_price or tx.gas_token != ZERO_ADDRESS or tx.refund_receiver != ZERO_ADDRESS:
        found.append("gas refund parameters are set (gasPrice, gasToken or refundReceiver): the executor is paid from the Safe")
    if not domain.has_chain_id:
        found.append(f"Safe {domain.version} signs without a chain id: the same signature is valid on every chain")
    return found


def safe_hash_report(tx: SafeTx, domain: SafeDomain) -> SafeHashReport:
    computed = hashes(tx, domain)
    return SafeHashReport(
        tx=tx,
        domain=domain,
        domain_hash="0x" + computed.domain_hash.hex(),
        message_hash="0x" + computed.message_hash.hex(),
        safe_tx_hash="0x" + computed.safe_tx_hash.hex(),
        encoded_data="0x" + encode_typed_data(tx, domain).hex(),
        warnings=tuple(warnings_for(tx, domain)),
    )


def as_shown_on_device(hash_hex: str) -> str:
    """Ledger and Trezor show the domain and message hashes in upper-case hex."""
    return "0x" + hash_hex[2:].upper()
