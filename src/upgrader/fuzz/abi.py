"""The callable surface of a contract as the fuzzer sees it: each ABI function with its
canonical signature, selector, input and output types, and whether it changes state or takes
ether. Built from the build's ABI (``Artifact.abi``); encoding and decoding go through eth_abi."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode

from upgrader.safe.abi_values import canonical_type, selector, signature

# Functions that replace the code under test or re-run its set-up: never drawn as random calls
# (the plan's batch is the only upgrade; an initializer only reverts once initialized).
NEVER_CALLED = frozenset({"upgradeTo(address)", "upgradeToAndCall(address,bytes)"})


@dataclass(frozen=True)
class AbiFunction:
    name: str
    signature: str  # "deposit(uint256,uint256)"
    selector: bytes
    inputs: tuple[str, ...]  # canonical ABI types
    outputs: tuple[str, ...]
    mutability: str  # pure | view | nonpayable | payable
    input_names: tuple[str, ...] = ()  # as the source names them ("propertyId"), "" when unnamed
    output_names: tuple[str, ...] = ()

    @property
    def is_view(self) -> bool:
        return self.mutability in ("view", "pure")

    @property
    def payable(self) -> bool:
        return self.mutability == "payable"

    @property
    def fuzzable(self) -> bool:
        return self.signature not in NEVER_CALLED and not self.name.startswith(("initialize", "reinitialize"))

    def encode(self, args: tuple[Any, ...] | list[Any]) -> bytes:
        return self.selector + abi_encode(list(self.inputs), list(args))

    def decode_output(self, data: bytes) -> tuple[Any, ...] | None:
        """The return values, or None when the data does not decode as the declared outputs."""
        try:
            return tuple(abi_decode(list(self.outputs), data)) if self.outputs else ()
        except Exception:  # a V2 returning another shape, a fallback's empty return
            return None


def functions_of(abi: list[dict[str, Any]]) -> dict[bytes, AbiFunction]:
    """selector -> function, for every function entry of ``abi``."""
    out = {}
    for entry in abi:
        if entry.get("type") != "function":
            continue
        fn = AbiFunction(
            name=entry["name"],
            signature=signature(entry),
            selector=selector(entry),
            inputs=tuple(canonical_type(p) for p in entry.get("inputs") or []),
            outputs=tuple(canonical_type(p) for p in entry.get("outputs") or []),
            mutability=entry.get("stateMutability") or ("view" if entry.get("constant") else "nonpayable"),
            input_names=tuple(p.get("name") or "" for p in entry.get("inputs") or []),
            output_names=tuple(p.get("name") or "" for p in entry.get("outputs") or []),
        )
        out[fn.selector] = fn
    return out


class EventShape(NamedTuple):
    """An event's indexed and data parameters: their types, and their names."""

    indexed: list[str]
    data: list[str]
    indexed_names: list[str] = []
    data_names: list[str] = []


def event_types(abi: list[dict[str, Any]]) -> dict[bytes, EventShape]:
    """topic0 -> its ``EventShape``, for every non-anonymous event of ``abi``."""
    from upgrader.keccak import keccak

    out = {}
    for entry in abi:
        if entry.get("type") != "event" or entry.get("anonymous"):
            continue
        inputs = entry.get("inputs") or []
        sig = f"{entry['name']}({','.join(canonical_type(p) for p in inputs)})"
        indexed = [p for p in inputs if p.get("indexed")]
        data = [p for p in inputs if not p.get("indexed")]
        out[keccak(sig.encode())] = EventShape([canonical_type(p) for p in indexed], [canonical_type(p) for p in data],
                                               [p.get("name") or "" for p in indexed], [p.get("name") or "" for p in data])
    return out


def name_key(name: str) -> str:
    """A parameter's name as the pool files values under it: ``_propertyId`` and
    ``propertyId_`` are ``propertyid``; "" for an unnamed one."""
    return name.strip("_").lower()


def base_type(abi_type: str) -> str:
    """``uint256[3][]`` -> ``uint256``; tuples keep their parentheses."""
    return abi_type[: abi_type.index("[")] if "[" in abi_type and not abi_type.startswith("(") else abi_type


def split_tuple(abi_type: str) -> list[str]:
    """``(uint256,(address,bool),bytes)`` -> ``["uint256", "(address,bool)", "bytes"]``."""
    inner, depth, start, parts = abi_type[1:-1], 0, 0, []
    for i, ch in enumerate(inner):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    if inner:
        parts.append(inner[start:])
    return parts


def array_parts(abi_type: str) -> tuple[str, int | None] | None:
    """``T[3]`` -> (T, 3), ``T[]`` -> (T, None), anything else None."""
    if not abi_type.endswith("]"):
        return None
    open_at = abi_type.rindex("[")
    size = abi_type[open_at + 1 : -1]
    return abi_type[:open_at], int(size) if size else None


def to_json(value: Any) -> Any:
    """An ABI value as JSON: integers as decimal strings, bytes as 0x hex, tuples as lists."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


def from_json(abi_type: str, value: Any) -> Any:
    """The inverse of ``to_json`` for a value of ``abi_type``."""
    array = array_parts(abi_type)
    if array is not None:
        return [from_json(array[0], v) for v in value]
    if abi_type.startswith("("):
        return tuple(from_json(t, v) for t, v in zip(split_tuple(abi_type), value))
    if abi_type.startswith(("uint", "int")):
        return int(value)
    if abi_type.startswith("bytes"):
        return bytes.fromhex(value[2:])
    if abi_type == "address":
        from eth_utils import to_checksum_address

        return to_checksum_address(value)
    return value


def show(value: Any) -> str:
    """A value as a reader wants it in a failure report."""
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, str):
        return value if value.startswith("0x") and len(value) == 42 else repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return str(value)
