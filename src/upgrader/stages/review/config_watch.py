"""The settings a signer must never change by accident, read before and after: the Safe's
owners, threshold, modules, guard, fallback handler and singleton, and each recorded proxy's
implementation (asked of its kind), admin and beacon."""

from __future__ import annotations

from typing import Any

from eth_utils import to_checksum_address

from upgrader.sim.storage import mapping_slot
from upgrader.sim.slots import FIXED
from upgrader.proxies import kind_of

SENTINEL = "0x0000000000000000000000000000000000000001"
SLOT = {label: slot for slot, (label, _) in FIXED.items()}


def _address_at(w3: Any, address: str, slot: int) -> str:
    return to_checksum_address(bytes(w3.eth.get_storage_at(address, slot))[-20:])


def _linked_list(w3: Any, safe: str, base: int) -> list[str]:
    """Safe's owners (slot 2) or modules (slot 1): a linked list from the sentinel, read from
    storage so that a replaced singleton cannot lie about it."""
    out, at = [], SENTINEL
    for _ in range(100):
        at = _address_at(w3, safe, mapping_slot(int(at, 16), base))
        if int(at, 16) in (0, 1):
            break
        out.append(at)
    return out


def safe_settings(w3: Any, safe: str) -> dict[str, Any]:
    return {
        "owners": _linked_list(w3, safe, 2),
        "threshold": int.from_bytes(bytes(w3.eth.get_storage_at(safe, 4)), "big"),
        "modules": _linked_list(w3, safe, 1),
        "guard": _address_at(w3, safe, SLOT["Safe guard"]),
        "fallback_handler": _address_at(w3, safe, SLOT["Safe fallback handler"]),
        "singleton": _address_at(w3, safe, 0),
    }


def proxy_settings(w3: Any, manifest: Any) -> dict[str, dict[str, str]]:
    """proxy name -> implementation (as its kind reads it), ERC-1967 admin and beacon."""
    out: dict[str, dict[str, str]] = {}
    for record in manifest.proxies if manifest is not None else []:
        try:
            impl = kind_of(record).implementation(w3, record)
        except Exception:  # the proxy does not answer on this fork: nothing to compare
            continue
        out[record.name] = {"address": record.address, "implementation": impl,
                            "admin": _address_at(w3, record.address, SLOT["ERC-1967 admin"]),
                            "beacon": _address_at(w3, record.address, SLOT["ERC-1967 beacon"])}
    return out


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"setting": k, "before": before[k], "after": after.get(k)} for k in before if before[k] != after.get(k)]


def proxy_changes(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]], plan: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Each change of a recorded proxy, ``explained`` when the plan upgrades that proxy to
    exactly that implementation (a plan never moves an admin or a beacon)."""
    planned = {u["proxy"]: u["to"]["implementation"].lower() for u in (plan or {}).get("upgrades", [])}
    out = []
    for name, old in before.items():
        new = after.get(name, old)
        for key in ("implementation", "admin", "beacon"):
            if old[key] != new[key]:
                explained = key == "implementation" and planned.get(name) == new[key].lower()
                out.append({"proxy": name, "address": old["address"], "setting": key, "before": old[key], "after": new[key],
                            "explained_by_plan": explained})
    return out


def unrecorded_proxy_changes(storage: list[dict[str, Any]], recorded: set[str]) -> list[dict[str, Any]]:
    """ERC-1967 slots that changed on a contract the manifest does not record."""
    out = []
    for entry in storage:
        if entry["address"].lower() in recorded or entry["created"]:
            continue
        for c in entry["changes"]:
            if c["name"] in ("ERC-1967 implementation", "ERC-1967 admin", "ERC-1967 beacon"):
                out.append({"proxy": entry["name"], "address": entry["address"], "setting": c["name"].split()[-1],
                            "before": c["before"], "after": c["after"], "explained_by_plan": False})
    return out
