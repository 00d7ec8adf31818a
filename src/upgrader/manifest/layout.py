"""The storage layout recorded per implementation, in the checker's own serialised form."""

from __future__ import annotations

from typing import Any


def layout_snapshot(build_info: dict[str, Any], fqn: str) -> dict[str, Any]:
    try:
        from upgrader.layout.extract import extract_layout  # the checker's typed layout
    except ImportError:
        extract_layout = None
    if extract_layout is not None:
        return extract_layout(build_info, fqn).to_json()
    source, name = fqn.rsplit(":", 1)
    raw = build_info["output"]["contracts"][source][name].get("storageLayout") or {}
    return {"format": "solc", "storage": raw.get("storage", []), "types": raw.get("types") or {}}
