"""Safe{Wallet} Transaction Builder batch files: writing, checksumming, reading back as calls.

The checksum is computed the way the Transaction Builder app computes it
(apps/tx-builder/src/lib/checksum.ts in safe-react-apps):

- serialise recursively: an array as ``[`` items joined by ``,`` ``]``; an object as ``{`` +
  JSON.stringify(sorted keys) + ``serialise(value) + ","`` for each sorted key + ``}``;
  anything else as JSON.stringify (undefined -> null);
- hash with keccak256 the UTF-8 of the serialisation of the batch with ``meta.name`` set to
  null (so renaming a batch keeps its checksum);
- on import the app deletes ``meta.checksum``, recomputes, and compares: a valid file carries
  the checksum of itself without the ``checksum`` key.
"""

from __future__ import annotations

import copy
import json
import math
import time
from collections.abc import Sequence
from typing import Any, TypedDict

from upgrader.errors import InputError, UnsafeError
from upgrader.keccak import keccak
from upgrader.safe._values import parse_address, parse_hex_bytes, parse_uint
from upgrader.safe.abi_values import decode_call, encode_call, signature
from upgrader.safe.multisend import Call
from upgrader.safe.tx import CALL

BATCH_FILE_VERSION = "1.0"
TX_BUILDER_VERSION = "1.18.0"


class ChecksumStatus(TypedDict):
    present: bool
    valid: bool


def _js_scalar(value: Any) -> str:
    """JSON.stringify of a non-container value, as JavaScript prints it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "null"
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    raise InputError(f"a batch file cannot hold a {type(value).__name__}")


def _js_key_order(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")  # Array.prototype.sort: UTF-16 code units


def serialize(value: Any) -> str:
    """The Transaction Builder's ``serializeJSONObject``."""
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(serialize(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=_js_key_order)
        head = "{" + json.dumps(keys, ensure_ascii=False, separators=(",", ":"))
        return head + "".join(serialize(value[key]) + "," for key in keys) + "}"
    return _js_scalar(value)


def calculate_checksum(batch: dict[str, Any]) -> str:
    """The app's ``calculateChecksum``: keccak256 of the batch as given, with meta.name null."""
    meta = batch.get("meta")
    if not isinstance(meta, dict):
        raise InputError("batch file has no 'meta' object")
    return "0x" + keccak(serialize({**batch, "meta": {**meta, "name": None}}).encode()).hex()


def _without_checksum(batch: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in batch["meta"].items() if k != "checksum"}
    return {**batch, "meta": meta}


def add_checksum(batch: dict[str, Any]) -> dict[str, Any]:
    """A copy of the batch carrying the checksum the app accepts on import."""
    if not isinstance(batch.get("meta"), dict):
        raise InputError("batch file has no 'meta' object")
    result = copy.deepcopy(batch)
    result["meta"]["checksum"] = calculate_checksum(_without_checksum(batch))
    return result


def validate_checksum(batch: dict[str, Any]) -> ChecksumStatus:
    """``present``: meta carries a non-empty checksum; ``valid``: it matches the content."""
    meta = batch.get("meta")
    if not isinstance(meta, dict):
        raise InputError("batch file has no 'meta' object")
    checksum = meta.get("checksum")
    if not isinstance(checksum, str) or not checksum:
        return {"present": False, "valid": False}
    expected = calculate_checksum(_without_checksum(batch))
    return {"present": True, "valid": checksum.lower() == expected}


def transaction_entry(call: Call, method: dict[str, Any] | None = None) -> dict[str, Any]:
    """One entry of ``transactions``. With the ABI of the called function (a ``contractMethod``,
    see ``abi_values.method_from_abi``) the arguments are written out for the signer too."""
    if call.operation != CALL:
        raise InputError("the Transaction Builder only makes CALLs; a DELEGATECALL cannot be a batch entry")
    entry: dict[str, Any] = {"to": call.to, "value": str(call.value), "data": "0x" + call.data.hex()}
    if method is not None:
        entry["contractMethod"] = method
        entry["contractInputsValues"] = decode_call(method, call.data)
    return entry


def build_batch_file(
    *,
    chain_id: int,
    safe: str,
    calls: Sequence[Call],
    methods: Sequence[dict[str, Any] | None] | None = None,
    name: str = "",
    description: str = "",
    owner: str | None = None,
    created_at_ms: int | None = None,
    tx_builder_version: str = TX_BUILDER_VERSION,
) -> dict[str, Any]:
    """A complete batch file with its checksum. ``methods[i]``, when given, is the
    ``contractMethod`` of ``calls[i]``. Pass ``created_at_ms`` for reproducible output."""
    if not calls:
        raise InputError("a batch file needs at least one transaction")
    if methods is not None and len(methods) != len(calls):
        raise InputError("methods must be given for every call (None where the ABI is unknown)")
    meta: dict[str, Any] = {
        "name": name,
        "description": description,
        "txBuilderVersion": tx_builder_version,
        "createdFromSafeAddress": parse_address(safe, "safe"),
        "createdFromOwnerAddress": parse_address(owner, "owner") if owner else "",
    }
    batch = {
        "version": BATCH_FILE_VERSION,
        "chainId": str(parse_uint(chain_id, "chain id")),
        "createdAt": int(time.time() * 1000) if created_at_ms is None else created_at_ms,
        "meta": meta,
        "transactions": [
            transaction_entry(call, methods[i] if methods else None) for i, call in enumerate(calls)
        ],
    }
    return add_checksum(batch)


def batch_calls(batch: dict[str, Any]) -> list[Call]:
    """The calls a batch file makes, in order. ``data`` wins when present; otherwise the
    calldata is encoded from ``contractMethod`` + ``contractInputsValues``. When both are present
    they must agree: a file that shows one call and executes another is refused (UnsafeError)."""
    transactions = batch.get("transactions")
    if not isinstance(transactions, list) or not transactions:
        raise InputError("batch file has no transactions")
    calls = []
    for index, entry in enumerate(transactions):
        if not isinstance(entry, dict):
            raise InputError(f"transaction {index}: not an object")
        where = f"transaction {index}"
        to = parse_address(entry.get("to"), f"{where} to")
        value = parse_uint(entry.get("value") or 0, f"{where} value")
        method = entry.get("contractMethod")
        data_field = entry.get("data")
        data = parse_hex_bytes(data_field, f"{where} data") if data_field not in (None, "") else None
        if method:
            encoded = encode_call(method, entry.get("contractInputsValues") or {})
            if data is not None and data != encoded:
                raise UnsafeError(
                    f"{where}: 'data' does not match the shown {signature(method)} arguments; "
                    "the signer would approve something other than what is displayed"
                )
            data = encoded
        calls.append(Call(to, data or b"", value, CALL))
    return calls


def load_batch_file(text: str) -> dict[str, Any]:
    """Parse batch-file JSON, checking the shape (not the checksum; see validate_checksum)."""
    try:
        batch = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"batch file is not valid JSON: {exc}") from None
    if not isinstance(batch, dict) or not isinstance(batch.get("meta"), dict):
        raise InputError("not a Transaction Builder batch file (no 'meta' object)")
    if not isinstance(batch.get("transactions"), list):
        raise InputError("not a Transaction Builder batch file (no 'transactions' list)")
    return batch


def dump_batch_file(batch: dict[str, Any]) -> str:
    """JSON text for a batch file (sorted keys; the checksum does not depend on key order)."""
    return json.dumps(batch, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
