"""What every rule gets: the AST index, the contract under validation and the annotation
lookups, plus the one place where a finding is built from the kind table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from upgrader.findings import Finding
from upgrader.solc_ast.index import AstIndex
from upgrader.solc_ast.walk import Node
from upgrader.validate.annotations import ALLOW, ALLOW_REACHABLE, OWN_ALLOW, allowed_kinds
from upgrader.validate.kinds import ACCEPTED_KINDS, RULES, Kind


@dataclass(frozen=True)
class Context:
    index: AstIndex
    contract: Node
    reference_uups: bool = False  # the version this one upgrades from is UUPS

    @property
    def linearized(self) -> list[Node]:
        return self.index.linearized(self.contract)

    def allowed(self, node: Node) -> frozenset[str]:
        """Kinds allowed in ``node``'s own lexical scope (either tag)."""
        return (
            self._tag(node, ALLOW)
            | self._tag(node, ALLOW_REACHABLE)
            | self._tag(node, OWN_ALLOW)
        )

    def allowed_reachable(self, node: Node) -> frozenset[str]:
        """Kinds allowed in ``node`` and everything reached from it."""
        return self._tag(node, ALLOW_REACHABLE)

    def skip(self, kind: Kind, *nodes: Node | None) -> bool:
        return any(node is not None and kind in self.allowed(node) for node in nodes)

    def _tag(self, node: Node, tag: str) -> frozenset[str]:
        if not node.get("documentation"):
            return frozenset()
        key = ("annotation", node["id"], tag)
        if key not in self.index.memo:
            where = self.index.location(node)
            self.index.memo[key] = allowed_kinds(node, tag, ACCEPTED_KINDS, where)
        return self.index.memo[key]

    def finding(self, kind: Kind, node: Node, **params: Any) -> Finding:
        rule = RULES[kind]
        params.setdefault("contract", self.contract["name"])
        return Finding(
            kind=kind,
            message=rule.message.format(**params),
            hint=rule.hint.format(**params),
            location=self.index.location(node),
            severity=rule.severity,
        )


def code(name: str) -> str:
    return f"`{name}`"


def names(items: list[str]) -> str:
    """`A`, `B` and `C`."""
    quoted = [code(item) for item in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
