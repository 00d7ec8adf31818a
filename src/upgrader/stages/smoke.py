"""Smoke calls after an upgrade: a view called on the proxy, its result compared with the
declared ``expect`` by the function's ABI output types, so ``"0xabc…"`` in lower case equals the
checksummed address web3 returns, ``"5000"`` equals 5000 and ``"0x01"`` equals ``b"\\x01"``.

    smoke_calls(upgrade_entry, module)  # the plan's calls (older plans: the module's)
    equal_by_abi(outputs, result, expect)  # (ok, why not)"""

from __future__ import annotations

from typing import Any

__all__ = ["equal_by_abi", "normalised", "smoke_calls"]


def smoke_calls(entry: dict[str, Any], module: Any) -> list[dict[str, Any]]:
    """The smoke calls of a plan's upgrade entry (recorded since plans carry them), else the
    module's from the settings (a plan made before)."""
    if entry.get("smoke") is not None:
        return list(entry["smoke"])
    return [{"function": c.function, "args": list(c.args), "expect": c.expect} for c in (module.smoke if module else ())]


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("a boolean is no integer")
    if isinstance(value, str):
        return int(value.replace("_", ""), 0)
    return int(value)


def _bytes(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, str) and value.startswith(("0x", "0X")):
        return "0x" + bytes.fromhex(value[2:]).hex()
    raise ValueError(f"{value!r} is not 0x-prefixed hex")


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError(f"{value!r} is not true or false")


def normalised(param: dict[str, Any], value: Any) -> Any:
    """``value`` as one canonical Python value of the ABI type ``param`` (an ABI input/output)."""
    kind: str = param["type"]
    if kind.endswith("]"):  # T[] or T[k]
        inner = {**param, "type": kind[: kind.rindex("[")]}
        return [normalised(inner, v) for v in value]
    if kind == "tuple":
        components = param.get("components", [])
        values = [value[c["name"]] for c in components] if isinstance(value, dict) else list(value)
        if len(values) != len(components):
            raise ValueError(f"{len(values)} values for a tuple of {len(components)}")
        return [normalised(c, v) for c, v in zip(components, values)]
    if kind == "address":
        if not isinstance(value, str) or len(value) != 42 or not value.startswith("0x"):
            raise ValueError(f"{value!r} is not an address")
        return value.lower()
    if kind.startswith(("uint", "int")):
        return _int(value)
    if kind == "bool":
        return _bool(value)
    if kind.startswith("bytes"):
        return _bytes(value)
    return str(value)


def equal_by_abi(outputs: list[dict[str, Any]], result: Any, expect: Any) -> tuple[bool, str]:
    """Does ``result`` (as web3 returns it: one value, or a tuple for several outputs) equal
    ``expect`` read as the function's output types? (ok, why not)."""
    if len(outputs) == 1:
        param: dict[str, Any] = outputs[0]
    else:
        param = {"type": "tuple", "components": [{**o, "name": o.get("name") or str(i)} for i, o in enumerate(outputs)]}
        if isinstance(expect, dict):
            expect = [expect.get(o.get("name") or str(i)) for i, o in enumerate(outputs)]
    try:
        got = normalised(param, result)
    except (ValueError, TypeError, KeyError) as exc:  # what the node returned does not fit the ABI (should not happen)
        return False, f"the result does not read as {param['type']}: {exc}"
    try:
        want = normalised(param, expect)
    except (ValueError, TypeError, KeyError) as exc:
        return False, f"expect {expect!r} is not a value of type {param['type']}: {exc}"
    return got == want, ""
