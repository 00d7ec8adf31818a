"""Extraction of a build's facts (``check.facts``) from its ASTs and storage layouts."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from upgrader.check.facts import SCHEMA, Facts, finding_json
from upgrader.errors import InputError
from upgrader.findings import Finding
from upgrader.layout import upgradeability
from upgrader.layout.buildset import BuildSet, has_layouts
from upgrader.layout.namespaces import storage_location
from upgrader.solc_ast.index import AstIndex
from upgrader.solc_ast.walk import Node


def extract(build: BuildSet) -> Facts:
    """The facts of the one build in ``build`` (a ``BuildSet`` of a single build-info)."""
    (one,) = build.builds
    index = one.index
    contracts: dict[str, Facts] = {}
    for fqn, node in index.contracts.items():
        contracts[fqn] = summary(index, fqn, node)
        if upgradeability.is_concrete(node):
            contracts[fqn].update(verdict(build, fqn))
    return {
        "schema": SCHEMA,
        "units": unit_digests(one.info),
        "layouts": has_layouts(one.info),
        "contracts": contracts,
        "outside": [finding_json(f) for f in namespaces_outside(index)],
    }


def summary(index: AstIndex, fqn: str, node: Node) -> Facts:
    """What the plan reads of every contract (OpenZeppelin's upgradeability assessment)."""
    return {
        "kind": node.get("contractKind"),
        "abstract": bool(node.get("abstract")),
        "annotation": guarded(lambda: list(upgradeability.annotation(node, fqn))),
        "looks_upgradeable": upgradeability.looks_upgradeable(index, node),
        "upgrade_function": upgradeability.has_upgrade_function(index, node),
        "ns_duplicates": [finding_json(f) for f in namespace_duplicates(index, node)],
    }


def verdict(build: BuildSet, fqn: str) -> Facts:
    """A contract's storage layout and unsafe-pattern findings (the latter twice where the
    verdict depends on whether the version it upgrades from is UUPS)."""
    facts: Facts = {"layout": guarded(lambda: build.layout(fqn).to_json())}
    validate = _validate()
    if validate is None:
        facts["findings"] = []
        return facts
    validate_contract, validate_both_references = validate
    info, index = build.build_info(fqn), build.index(fqn)
    if upgradeability.has_upgrade_function(index, build.node(fqn)):
        facts["findings"] = guarded(lambda: [finding_json(f) for f in validate_contract(info, fqn, index=index)])
        return facts
    both = guarded(lambda: [[finding_json(f) for f in found] for found in validate_both_references(info, fqn, index=index)])
    if isinstance(both, dict):  # the error, for either reference
        facts["findings"] = facts["findings_uups"] = both
    else:
        facts["findings"], facts["findings_uups"] = both
    return facts


def guarded(read: Callable[[], Any]) -> Any:
    """``read()``, or the input error it raises as ``{"error": message}``."""
    try:
        return read()
    except InputError as exc:
        return {"error": str(exc)}
    except RecursionError:
        return {"error": "the build-info's AST is nested deeper than solc writes; rebuild it"}


def unit_digests(info: dict[str, Any]) -> dict[str, str | None]:
    """Each source unit's text as a digest (None where the build-info holds no text)."""
    digests: dict[str, str | None] = {}
    for unit, source in ((info.get("input") or {}).get("sources") or {}).items():
        content = source.get("content") if isinstance(source, dict) else None
        digests[unit] = hashlib.sha256(content.encode()).hexdigest()[:32] if isinstance(content, str) else None
    return digests


# -- namespaces: what OpenZeppelin's validate stops on for the whole build ----------------------
# (``validate/run.ts`` checkNamespacesOutsideContract, ``storage/namespace.ts`` DuplicateNamespaceError)


def namespaces_outside(index: AstIndex) -> list[Finding]:
    """A ``@custom:storage-location`` struct declared outside a contract: no layout check sees it."""
    found = []
    sources = index.build_info.get("output", {}).get("sources", {})
    for _, data in sorted(sources.items()):
        for node in (data.get("ast") or {}).get("nodes", ()):
            if node.get("nodeType") == "StructDefinition" and storage_location(node) is not None:
                found.append(
                    Finding(
                        "namespace-outside-contract",
                        f"Namespace struct `{node['name']}` is declared outside a contract",
                        "Declare a struct annotated `@custom:storage-location` inside the contract that uses it "
                        "(outside a contract no layout check sees it), or remove the annotation",
                        index.location(node),
                    )
                )
    return found


def namespace_duplicates(index: AstIndex, contract: Node) -> list[Finding]:
    """One ERC-7201 id declared twice in a contract and its bases (each place after the first)."""
    found: list[Finding] = []
    seen: dict[str, str | None] = {}
    for base in reversed(index.linearized(contract)):
        for child in base.get("nodes", ()):
            if child.get("nodeType") != "StructDefinition":
                continue
            namespace_id = storage_location(child)
            if namespace_id is None:
                continue
            where = index.location(child)
            if namespace_id in seen:
                found.append(
                    Finding(
                        "namespace-duplicate",
                        f"Namespace erc7201:{namespace_id} is declared twice for `{contract['name']}` "
                        f"(also at {seen[namespace_id]})",
                        "Use a unique namespace id for each `@custom:storage-location erc7201:<id>` struct "
                        "of a contract and its bases",
                        where,
                    )
                )
            seen.setdefault(namespace_id, where)
    return found


def _validate() -> tuple[Callable[..., list[Finding]], Callable[..., tuple[list[Finding], list[Finding]]]] | None:
    """The unsafe-pattern validator's two entry points, if installed (``upgrader.validate``)."""
    try:
        from upgrader.validate import validate_both_references, validate_contract
    except ModuleNotFoundError as exc:
        if exc.name == "upgrader.validate":
            return None
        raise
    return validate_contract, validate_both_references
