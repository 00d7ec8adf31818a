"""Unsafe-pattern validation of upgradeable contracts from the solc AST of a build-info.

    from upgrader.validate import validate_contract
    findings = validate_contract(build_info, "contracts/Box.sol:Box", frozenset({"delegatecall"}))

Each rule is one function (``rules``, ``reachability``, ``initializers``, ``uups``); every kind
has its message, hint and documentation anchor in ``kinds.RULES``. Kinds and annotations are
OpenZeppelin's (``@custom:oz-upgrades-unsafe-allow``, ``-reachable``), plus three of ours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from upgrader.errors import InputError
from upgrader.findings import Finding
from upgrader.validate import initializers, reachability, rules, uups
from upgrader.solc_ast.index import AstIndex, index_of
from upgrader.validate.context import Context
from upgrader.validate.kinds import ACCEPTED_KINDS, KNOWN_KINDS, RULES, Kind, Rule
from upgrader.validate.report import explain

__all__ = [
    "ACCEPTED_KINDS",
    "KNOWN_KINDS",
    "RULES",
    "AstIndex",
    "Kind",
    "Rule",
    "explain",
    "index_for",
    "parse_unsafe_allow",
    "validate_both_references",
    "validate_contract",
]

RULE_FUNCTIONS: tuple[Callable[[Context], Iterator[Finding]], ...] = (
    rules.constructor,
    reachability.opcodes,
    rules.state_variables,
    rules.external_library_linking,
    rules.internal_function_storage,
    initializers.initializer_calls,
    initializers.reinitializer_versions,
    uups.missing_upgrade_function,
    uups.missing_disable_initializers,
    uups.unprotected_authorize_upgrade,
)

def index_for(build_info: dict[str, Any]) -> AstIndex:
    """The AST index of ``build_info`` (shared with the layout reader); the validator needs
    every source's AST, so a build without them is an input error."""
    output = build_info.get("output")
    if not isinstance(output, dict) or not isinstance(output.get("sources"), dict):
        raise InputError("build-info has no output.sources; it is not a solc build-info file")
    index = index_of(build_info)
    if index.missing_ast:
        raise InputError(
            f"build-info has no AST for {index.missing_ast[0]}; compile with outputSelection '*': {{'': ['ast']}}"
        )
    return index


def parse_unsafe_allow(text: str | Iterable[str]) -> frozenset[str]:
    """``"k1,k2"`` (or an iterable of kinds) as a set; an unknown kind is an input error."""
    items = text.split(",") if isinstance(text, str) else list(text)
    kinds = frozenset(item.strip() for item in items if item.strip())
    unknown = sorted(kinds - ACCEPTED_KINDS)
    if unknown:
        raise InputError(f"unknown --unsafe-allow kind {', '.join(unknown)}; use one of: {', '.join(sorted(ACCEPTED_KINDS))}")
    return kinds


def validate_contract(
    build_info: dict[str, Any],
    contract_fqn: str,
    unsafe_allow: frozenset[str] = frozenset(),
    reference_uups: bool = False,
    index: AstIndex | None = None,
) -> list[Finding]:
    """All unsafe-pattern findings of ``contract_fqn`` (``"<source unit>:<Name>"``), errors
    first, then by location; kinds in ``unsafe_allow`` are dropped. ``reference_uups``: the
    version it upgrades from is UUPS, so it must keep a public upgrade function too.
    ``index``: the build's index when the caller holds it (``layout.buildset``)."""
    allow = parse_unsafe_allow(unsafe_allow)
    index = index if index is not None and not index.missing_ast else index_for(build_info)
    ctx = Context(index, index.contract(contract_fqn), reference_uups)
    return _collect(ctx, RULE_FUNCTIONS, allow)


def validate_both_references(
    build_info: dict[str, Any], contract_fqn: str, index: AstIndex | None = None
) -> tuple[list[Finding], list[Finding]]:
    """``validate_contract``'s findings with ``reference_uups`` false and true, the rules run
    once: only ``uups.missing_upgrade_function`` reads it, so the second list is the first
    with that rule's findings for a UUPS reference merged in (deduplicated and ordered as
    ``validate_contract`` orders them)."""
    index = index if index is not None and not index.missing_ast else index_for(build_info)
    contract = index.contract(contract_fqn)
    plain = _collect(Context(index, contract), RULE_FUNCTIONS, frozenset())
    extra = _collect(Context(index, contract, True), (uups.missing_upgrade_function,), frozenset())
    seen = {_key(finding) for finding in plain}
    return plain, sorted(plain + [f for f in extra if _key(f) not in seen], key=_order)


def _collect(
    ctx: Context, functions: tuple[Callable[[Context], Iterator[Finding]], ...], allow: frozenset[str]
) -> list[Finding]:
    seen: set[tuple[str, str | None, str]] = set()
    findings: list[Finding] = []
    for rule in functions:
        for finding in rule(ctx):
            key = _key(finding)
            if finding.kind not in allow and key not in seen:
                seen.add(key)
                findings.append(finding)
    return sorted(findings, key=_order)


def _key(finding: Finding) -> tuple[str, str | None, str]:
    return (finding.kind, finding.location, finding.message)


def _order(finding: Finding) -> tuple[Any, ...]:
    unit, _, line = (finding.location or "").rpartition(":")
    return (finding.severity != "error", unit, int(line) if line.isdigit() else 0, finding.kind, finding.message)
