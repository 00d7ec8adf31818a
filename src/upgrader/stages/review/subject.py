"""What a signer hands to ``upgrader review``: a Transaction Builder batch file, a raw SafeTx
JSON (the Transaction Service's shape plus ``safe`` and ``chainId``), or a safeTxHash that
names a file under ``deployments/<network>/proposals/``. Each becomes one ``ReviewSubject``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from upgrader.errors import InputError
from upgrader.inputs import read_json
from upgrader.inputs.safe_files import BatchFile, SafeTxFile, validated
from upgrader.safe._values import ZERO_ADDRESS
from upgrader.safe.abi_values import encode_call, signature
from upgrader.safe.multisend import Batch, Call
from upgrader.safe.tx import CALL, SafeTx
from upgrader.safe.txbuilder import validate_checksum

SAFE_TX_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")


@dataclass
class ReviewSubject:
    kind: Literal["batch-file", "safe-tx"]
    source: str
    chain_id: int
    safe: str
    calls: list[Call]  # what the file says the Safe should do (a batch file's entries, or [tx])
    nonce: int | None
    tx: SafeTx | None = None  # the raw SafeTx, when given as one
    checksum: dict[str, bool] | None = None
    claimed_hash: str | None = None  # a safeTxHash the input states (field or file name)
    display_mismatches: list[str] = field(default_factory=list)
    plan_hash: str | None = None  # the plan the proposal file says it was made from
    accepted_red: list[dict[str, Any]] = field(default_factory=list)  # earlier signers' --accept-red


def _json_file(path: Path) -> Any:
    return read_json(path, "proposal", missing=f"no such file: {path}")


def batch_entry_calls(batch: BatchFile) -> tuple[list[Call], list[str]]:
    """The calls a batch file executes (``data`` wins) and the entries whose shown
    ``contractMethod`` arguments encode to something else than that ``data``."""
    calls, mismatches = [], []
    for i, entry in enumerate(batch.transactions):
        data = entry.data or None
        if entry.contractMethod is not None:
            method = entry.contractMethod.as_dict()
            try:
                shown = encode_call(method, entry.contractInputsValues or {})
            except InputError as exc:
                shown = None
                mismatches.append(f"transaction {i + 1}: shown arguments cannot be encoded ({exc})")
            if data is None:
                data = shown
            elif shown is not None and shown != data:
                mismatches.append(f"transaction {i + 1}: data does not match the displayed {signature(method)} arguments")
        calls.append(Call(entry.to, data or b"", entry.value, CALL))
    return calls, mismatches


def subject_from_json(obj: Any, source: str, nonce: int | None = None, claimed_hash: str | None = None) -> ReviewSubject:
    """A review subject from parsed JSON, validated into its typed model first
    (``inputs.safe_files``); anything off is one InputError line."""
    if not isinstance(obj, dict):
        raise InputError(f"{source}: expected a JSON object (a Transaction Builder batch or a Safe transaction)")
    if "transactions" in obj and "meta" in obj:
        batch: BatchFile = validated(BatchFile, obj, source)
        calls, mismatches = batch_entry_calls(batch)
        return ReviewSubject(
            kind="batch-file", source=source, chain_id=batch.chainId, safe=batch.meta.createdFromSafeAddress,
            calls=calls, nonce=nonce if nonce is not None else batch.stated_nonce,
            checksum=dict(validate_checksum(obj)), claimed_hash=claimed_hash or batch.safeTxHash,
            display_mismatches=mismatches, plan_hash=batch.meta.planHash,
            accepted_red=[a.model_dump() for a in batch.meta.acceptedRed],
        )
    if "to" in obj:
        f: SafeTxFile = validated(SafeTxFile, obj, source)
        stated_nonce = nonce if nonce is not None else f.nonce
        if stated_nonce is None:
            raise InputError(f"{source}: the Safe transaction has no nonce; add it or pass --nonce")
        if f.safe is None or f.chain_id is None:
            raise InputError(f"{source}: a raw Safe transaction needs 'safe' and 'chainId' next to its fields")
        tx = SafeTx(
            to=f.to, value=f.value, data=f.data or b"", operation=f.operation, safe_tx_gas=f.safe_tx_gas,
            base_gas=f.base_gas, gas_price=f.gas_price, gas_token=f.gas_token or ZERO_ADDRESS,
            refund_receiver=f.refund_receiver or ZERO_ADDRESS, nonce=stated_nonce,
        )
        return ReviewSubject(
            kind="safe-tx", source=source, chain_id=f.chain_id, safe=f.safe, calls=[Call.of(tx)], nonce=tx.nonce,
            tx=tx, claimed_hash=claimed_hash or f.safe_tx_hash,
        )
    raise InputError(f"{source}: neither a Transaction Builder batch (meta + transactions) nor a Safe transaction (to, data, ...)")


def load_subject(arg: str, proposals_dir: Path | None, nonce: int | None = None) -> ReviewSubject:
    """FILE or SAFE_TX_HASH (looked up as ``proposals/<hash>.json``)."""
    path = Path(arg)
    if SAFE_TX_HASH.match(arg) and not path.exists():
        if proposals_dir is None:
            raise InputError(f"{arg}: no proposals folder to look in; pass the proposal file instead")
        path = proposals_dir / f"{arg.lower()}.json"
        if not path.is_file():
            raise InputError(f"no proposal {arg} under {proposals_dir}; pass a file, or use the right --network")
    claimed = path.stem if SAFE_TX_HASH.match(path.stem) else None
    return subject_from_json(_json_file(path), str(path), nonce, claimed)


def subject_safe_tx(subject: ReviewSubject, multisend: str) -> SafeTx | None:
    """The SafeTx owners sign: the raw one, or a batch file rebuilt as the Safe{Wallet} does
    (one call -> CALL, several -> DELEGATECALL to a MultiSendCallOnly). None without a nonce."""
    if subject.tx is not None:
        return subject.tx
    if subject.nonce is None:
        return None
    return Batch(subject.calls).to_safe_tx(multisend, subject.nonce)


def queued_nonces(proposals_dir: Path | None, chain_id: int, safe: str) -> dict[str, int]:
    """safeTxHash -> nonce of every proposal file of this Safe that states its nonce."""
    out: dict[str, int] = {}
    if proposals_dir is None or not proposals_dir.is_dir():
        return out
    for path in sorted(proposals_dir.glob("0x*.json")):
        try:
            subject = subject_from_json(_json_file(path), str(path))
        except (InputError, OSError, ValueError):
            continue
        if subject.nonce is not None and subject.safe == safe and subject.chain_id == chain_id:
            out[path.stem.lower()] = subject.nonce
    return out


def queued_safe_txs(proposals_dir: Path | None, chain_id: int, safe: str, multisend: str) -> dict[str, SafeTx]:
    """safeTxHash -> the SafeTx of every proposal file of this Safe that states its nonce."""
    out: dict[str, SafeTx] = {}
    if proposals_dir is None or not proposals_dir.is_dir():
        return out
    for path in sorted(proposals_dir.glob("0x*.json")):
        try:
            subject = subject_from_json(_json_file(path), str(path))
            tx = subject_safe_tx(subject, multisend)
        except (InputError, OSError, ValueError):
            continue
        if tx is not None and subject.safe == safe and subject.chain_id == chain_id:
            out[path.stem.lower()] = tx
    return out


def subject_from_service(client: Any, safe_tx_hash: str, chain_id: int) -> tuple[ReviewSubject, Any]:
    """A proposal fetched from a Transaction Service client (``upgrader.safe_service``), and the
    service's answer; the service's own ``safeTxHash`` is kept as the claim the review checks."""
    found = client.multisig_transaction(safe_tx_hash)
    if found is None:
        raise InputError(f"no proposal {safe_tx_hash} locally or in the Transaction Service at {client.url}")
    obj = {**found.tx.to_json(), "safe": found.safe, "chainId": chain_id}
    return subject_from_json(obj, f"{client.url} {safe_tx_hash}", claimed_hash=found.safe_tx_hash), found
