"""Why a transaction reverted: the deepest failing call frame (``callTracer``) and its return
data decoded as ``Error(string)``, ``Panic(uint256)`` or a custom error the build declares."""

from __future__ import annotations

from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import is_address, to_checksum_address

from upgrader.safe.abi_values import selector

ERROR = bytes.fromhex("08c379a0")  # Error(string)
PANIC = bytes.fromhex("4e487b71")  # Panic(uint256)
# Safe's own codes (safe-smart-account docs/error_codes.md), the ones a signer meets
SAFE_CODES = {"GS013": "Safe transaction failed (safeTxGas 0 and gasPrice 0: the inner call reverted)",
              "GS025": "hash not approved", "GS026": "invalid owner / signature", "GS020": "signatures too short",
              "GS010": "not enough gas to execute the Safe transaction", "GS011": "could not pay gas costs"}
CUSTOM_ERRORS: dict[bytes, dict[str, Any]] = {}  # selector -> error ABI, filled from the build by errors_from


def errors_from(abis: list[list[dict[str, Any]]]) -> None:
    for abi in abis:
        for entry in abi:
            if entry.get("type") == "error":
                CUSTOM_ERRORS.setdefault(selector(entry), entry)


def _type(param: dict[str, Any]) -> str:
    t = param["type"]
    if t.startswith("tuple"):
        return "(" + ",".join(_type(c) for c in param.get("components", [])) + ")" + t[5:]
    return t


def decode_revert(data: bytes) -> str:
    if not data:
        return "reverted without a reason"
    head, body = data[:4], data[4:]
    try:
        if head == ERROR:
            text = abi_decode(["string"], body)[0]
            return f"{text} ({SAFE_CODES[text]})" if text in SAFE_CODES else text
        if head == PANIC:
            return f"Panic({abi_decode(['uint256'], body)[0]:#x})"
        if head in CUSTOM_ERRORS:
            entry = CUSTOM_ERRORS[head]
            values = abi_decode([_type(i) for i in entry.get("inputs", [])], body)
            return f"{entry['name']}({', '.join(_shown(v) for v in values)})"
    except Exception:  # malformed return data: show it raw
        pass
    return f"custom error 0x{data.hex()}"


def _shown(value: Any) -> str:
    """An error argument as Solidity tools print it: bytes as 0x hex (a role, an operation id),
    an address checksummed, arrays and tuples element by element; never Python's ``b'...'``."""
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, str) and is_address(value):
        return to_checksum_address(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return str(value)


def revert_reason(w3: Any, tx_hash: str) -> str:
    """The reason of the frame the revert came from, with the Safe's outer code when they differ."""
    trace = w3.provider.make_request("debug_traceTransaction", [tx_hash, {"tracer": "callTracer"}]).get("result") or {}
    failing = origin_frame(trace)
    outer = decode_revert(bytes.fromhex((trace.get("output") or "0x")[2:])) if trace.get("error") else None
    if failing is None:
        return outer or "the Safe reported ExecutionFailure"
    inner = decode_revert(bytes.fromhex((failing.get("output") or "0x")[2:]))
    where = f"in a call to {failing.get('to')}" if failing is not trace else ""
    if failing.get("error") and failing.get("error") != "execution reverted" and not failing.get("output"):
        inner = failing["error"]
    parts = [f"{inner} {where}".strip()]
    if outer and failing is not trace and outer != inner:
        parts.append(f"(the Safe then reverted: {outer})")
    return " ".join(parts)


def origin_frame(trace: dict[str, Any]) -> dict[str, Any] | None:
    """The call frame a revert started in. From the top, follow the last failed sub-call while
    the revert looks passed up from it: the same return data, none (MultiSend's
    ``revert(0, 0)``), or a Safe code (the Safe wraps any failure as GS013); a frame that
    reverts with data of its own after a failed sub-call (a caught revert, as ERC1967Utils'
    probe of ``proxiableUUID``) is where it started. A top frame that did not revert (the Safe
    catches a failure and emits ExecutionFailure) is searched for its last failed sub-call."""
    frame: dict[str, Any] | None = trace if trace.get("error") else _last_failed(trace)
    while frame is not None:
        child = _last_failed(frame)
        if child is None:
            return frame
        out = frame.get("output") or "0x"
        if not (out == (child.get("output") or "0x") or out == "0x" or _safe_code(out)):
            return frame
        frame = child
    return None


def _safe_code(output: str) -> bool:
    data = bytes.fromhex(output[2:])
    if data[:4] != ERROR:
        return False
    try:
        return str(abi_decode(["string"], data[4:])[0]).startswith("GS")
    except Exception:  # not a well-formed Error(string)
        return False


def _last_failed(frame: dict[str, Any]) -> dict[str, Any] | None:
    return next((c for c in reversed(frame.get("calls") or []) if c.get("error")), None)
