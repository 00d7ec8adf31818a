"""The facts the check reads from one build-info (extracted by ``check.extract``).

Everything after extraction (the plan, the layout comparisons, the reports) reads only these
facts. They are plain JSON, so a build's facts can be extracted in another process and kept in
the content-addressed cache (``check.cache``), and the next run over an unchanged build never
decodes it.

Per build: a digest of each source unit's text (the stale-build check), whether storage
layouts were asked for, the namespace structs declared outside any contract, and per
contract its kind, its ``@custom:oz-upgrades[-from]`` annotation, what OpenZeppelin's
upgradeability assessment reads, its duplicate namespaces and, for concrete contracts, its
storage layout and unsafe-pattern findings. An input error met while extracting a fact is
kept as the fact (``{"error": message}``) and raised when the check reads it, so the check
stops where it would have stopped reading the AST.
"""

from __future__ import annotations

from typing import Any

from upgrader.errors import InputError
from upgrader.findings import Finding

SCHEMA = "upgrader.check-facts/1"
Facts = dict[str, Any]


def value(fact: Any) -> Any:
    """A fact as extracted; a kept input error is raised again."""
    if isinstance(fact, dict) and set(fact) == {"error"}:
        raise InputError(fact["error"])
    return fact


def finding_json(finding: Finding) -> list[Any]:
    return [finding.kind, finding.message, finding.hint, finding.location, finding.severity]


def finding_of(data: list[Any]) -> Finding:
    kind, message, hint, location, severity = data
    return Finding(kind, message, hint, location, severity)
