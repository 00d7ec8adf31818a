"""The checker's verdict on replacing a deployed implementation (its recorded layout) with
a contract from the current build: layout comparison plus unsafe-pattern validation."""

from __future__ import annotations

from typing import Any

from upgrader.errors import InputError
from upgrader.findings import Finding


def upgrade_verdict(
    stored_layout: dict[str, Any], build_info: dict[str, Any], target_fqn: str, unsafe_allow: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Same shape as one entry of ``upgrader check --json``'s ``contracts`` list."""
    from upgrader.layout import report
    from upgrader.layout.compare import compare_layouts
    from upgrader.layout.extract import extract_layout
    from upgrader.layout.model import StorageLayout

    try:
        old = StorageLayout.from_json(stored_layout)
    except (ValueError, KeyError) as exc:
        raise InputError(f"the manifest's recorded storage layout is unreadable ({exc}); re-record the deployment") from None
    findings: list[Finding] = report.findings(compare_layouts(old, extract_layout(build_info, target_fqn)))
    try:
        from upgrader.validate import validate_contract
    except ImportError:  # validator not available in this build
        validate_contract = None
    if validate_contract is not None:
        findings += validate_contract(build_info, target_fqn, unsafe_allow)
    errors = [f for f in findings if f.severity == "error"]
    warnings = [f for f in findings if f.severity != "error"]
    return {
        "contract": target_fqn,
        "reference": old.contract,
        "ok": not errors,
        "errors": [f.to_json() for f in errors],
        "warnings": [f.to_json() for f in warnings],
    }
