"""ABI calls in the Transaction Builder's shape: ``contractMethod`` (name, inputs, payable) and
``contractInputsValues`` (every argument as a string, keyed by input name).

Scalars are strings ("123", "true", "0xAbc..."); arrays and tuples are JSON text whose items
follow the same rules (tuples as a JSON array in component order, or an object by name).
Integers inside JSON are written as strings so that no JavaScript reader loses precision.
"""

from __future__ import annotations

import json
import re
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import to_checksum_address

from upgrader.errors import InputError
from upgrader.inputs import parse_int_text, parse_json_text
from upgrader.keccak import keccak
from upgrader.safe._values import parse_address, parse_hex_bytes

_ARRAY_SUFFIX = re.compile(r"^(.*)\[(\d*)\]$")


def canonical_type(param: dict[str, Any]) -> str:
    """The ABI type used in signatures: tuples spelled out as ``(t1,t2)`` with array suffixes."""
    kind = param.get("type")
    if not isinstance(kind, str):
        raise InputError(f"ABI input {param.get('name', '?')!r} has no type")
    if kind.startswith("tuple"):
        inner = ",".join(canonical_type(c) for c in param.get("components", []))
        return f"({inner}){kind[len('tuple'):]}"
    return kind


def signature(method: dict[str, Any]) -> str:
    name = method.get("name")
    if not isinstance(name, str) or not name:
        raise InputError("contractMethod has no name")
    return f"{name}({','.join(canonical_type(p) for p in method.get('inputs') or [])})"


def selector(method: dict[str, Any]) -> bytes:
    return keccak(signature(method).encode())[:4]


def input_key(param: dict[str, Any], index: int) -> str:
    return param.get("name") or str(index)


def _element(param: dict[str, Any]) -> dict[str, Any] | None:
    """For an array parameter, the parameter describing one element; None for non-arrays."""
    match = _ARRAY_SUFFIX.match(param["type"])
    return {**param, "type": match.group(1)} if match else None


def parse_value(param: dict[str, Any], value: Any) -> Any:
    """A Transaction Builder value (string or JSON item) -> the Python value eth_abi encodes."""
    kind, name = param["type"], param.get("name", "")
    element = _element(param)
    if element is not None or kind == "tuple":
        items = _json_items(value, name)
        if element is not None:
            if not isinstance(items, list):
                raise InputError(f"{name}: expected a JSON array")
            return [parse_value(element, item) for item in items]
        components = param.get("components", [])
        if isinstance(items, dict):
            items = [items.get(c.get("name", "")) for c in components]
        if not isinstance(items, list) or len(items) != len(components):
            raise InputError(f"{name}: expected {len(components)} tuple components")
        return tuple(parse_value(c, item) for c, item in zip(components, items))
    text = value if isinstance(value, str) else json.dumps(value)
    try:
        if kind == "address":
            return parse_address(text.strip(), name or "address")
        if kind == "bool":
            if text.strip().lower() not in ("true", "false"):
                raise InputError(f"{name}: expected true or false, got {text!r}")
            return text.strip().lower() == "true"
        if kind.startswith(("uint", "int")):
            return parse_int_text(text, name or kind, signed=kind.startswith("int"))
        if kind.startswith("bytes"):
            return parse_hex_bytes(text, name or kind)
        if kind == "string":
            return text
    except ValueError:
        raise InputError(f"{name}: {text[:40]!r} is not a valid {kind}") from None
    raise InputError(f"{name}: unsupported ABI type {kind}")


def _json_items(value: Any, name: str) -> Any:
    if isinstance(value, (list, dict)):
        return value
    if not isinstance(value, str):
        raise InputError(f"{name}: expected JSON text")
    return parse_json_text(value, f"{name or 'argument'} {value[:40]!r}")


def render_value(param: dict[str, Any], value: Any, nested: bool = False) -> Any:
    """Inverse of ``parse_value``: a decoded ABI value -> the Transaction Builder string
    (inside arrays/tuples: a JSON item; numbers as strings, booleans as JSON booleans)."""
    kind = param["type"]
    element = _element(param)
    if element is not None:
        items = [render_value(element, v, nested=True) for v in value]
        return items if nested else json.dumps(items, separators=(",", ":"))
    if kind == "tuple":
        items = [render_value(c, v, nested=True) for c, v in zip(param.get("components", []), value)]
        return items if nested else json.dumps(items, separators=(",", ":"))
    if kind == "bool":
        return bool(value) if nested else ("true" if value else "false")
    if kind == "address":
        return to_checksum_address(value)
    if kind.startswith(("uint", "int")):
        return str(value)
    if kind.startswith("bytes"):
        return "0x" + bytes(value).hex()
    return str(value)


def checked_method(method: Any) -> dict[str, Any]:
    """A ``contractMethod`` as validated ABI (name, inputs with ABI types, tuple components)."""
    from upgrader.inputs.safe_files import ContractMethod, validated

    return validated(ContractMethod, method, "contractMethod").as_dict()


def encode_call(method: dict[str, Any], values: dict[str, Any]) -> bytes:
    """Calldata from a ``contractMethod`` and its ``contractInputsValues``."""
    method = checked_method(method)
    inputs = method.get("inputs") or []
    if not isinstance(values, dict):
        raise InputError(f"{method.get('name')}: contractInputsValues must be an object")
    args = []
    for index, param in enumerate(inputs):
        key = input_key(param, index)
        if key not in values:
            raise InputError(f"{method.get('name')}: no value for input {key!r}")
        args.append(parse_value(param, values[key]))
    types = [canonical_type(p) for p in inputs]
    try:
        return selector(method) + abi_encode(types, args)
    except Exception as exc:  # eth_abi's encoding errors are not one type
        raise InputError(f"{signature(method)}: cannot encode the values: {exc}") from None


def decode_call(method: dict[str, Any], data: bytes | str) -> dict[str, Any]:
    """``contractInputsValues`` for calldata of this method (the selector must match)."""
    method = checked_method(method)
    raw = parse_hex_bytes(data, "data")
    if raw[:4] != selector(method):
        raise InputError(f"data does not call {signature(method)} (selector 0x{raw[:4].hex()})")
    inputs = method.get("inputs") or []
    try:
        decoded = abi_decode([canonical_type(p) for p in inputs], raw[4:])
    except Exception as exc:  # eth_abi's decoding errors are not one type
        raise InputError(f"data is not a valid {signature(method)} call: {exc}") from None
    return {input_key(p, i): render_value(p, v) for i, (p, v) in enumerate(zip(inputs, decoded))}


def method_from_abi(fragment: dict[str, Any]) -> dict[str, Any]:
    """A compiler ABI function entry -> the Transaction Builder's ``contractMethod``."""

    def clean(param: dict[str, Any]) -> dict[str, Any]:
        out = {"internalType": param.get("internalType", param["type"]), "name": param.get("name", ""),
               "type": param["type"]}
        if "components" in param:
            out["components"] = [clean(c) for c in param["components"]]
        return out

    if fragment.get("type", "function") != "function":
        raise InputError(f"ABI entry {fragment.get('name')!r} is not a function")
    return {
        "inputs": [clean(p) for p in fragment.get("inputs", [])],
        "name": fragment["name"],
        "payable": fragment.get("stateMutability") == "payable" or bool(fragment.get("payable", False)),
    }
