"""What the probes read from the target's solc AST: the reinitializer version of each
initializer (OpenZeppelin's ``initializer`` is version 1, ``reinitializer(n)`` is n), and the
state variables the code reads in a condition (an ``if``, a ternary, ``require``/``assert``),
by the declaration the identifier or member access refers to."""

from __future__ import annotations

from typing import Any

from upgrader.solc_ast.index import index_of
from upgrader.solc_ast.walk import Node, find_all


def _selector(fn: Node) -> str | None:
    return str(fn["functionSelector"]) if fn.get("functionSelector") else None


def reinitializers(build_info: dict[str, Any], fqn: str) -> dict[str, tuple[str, int]]:
    """selector (hex, no 0x) -> (function name, version) of each public/external function with
    ``initializer`` (1) or ``reinitializer(<literal>)``, anywhere in the linearization; the most
    derived definition wins."""
    index = index_of(build_info)
    out: dict[str, tuple[str, int]] = {}
    for base in index.linearized(index.contract(fqn)):
        for fn in base.get("nodes", []):
            if fn.get("nodeType") != "FunctionDefinition" or fn.get("visibility") not in ("public", "external"):
                continue
            sel = _selector(fn)
            if sel is None or sel in out:
                continue
            for m in fn.get("modifiers", []):
                name = (m.get("modifierName") or {}).get("name")
                args = m.get("arguments") or []
                if name == "initializer":
                    out[sel] = (fn["name"], 1)
                elif name == "reinitializer" and args and args[0].get("nodeType") == "Literal":
                    out[sel] = (fn["name"], int(str(args[0]["value"]), 0))
    return out


def _conditions(contract_nodes: list[Node]) -> list[tuple[Node, str]]:
    """Every condition under the contracts' functions and modifiers, with what holds it."""
    out: list[tuple[Node, str]] = []
    for node in contract_nodes:
        for cond in find_all(("IfStatement", "Conditional", "WhileStatement", "ForStatement"), node):
            if cond.get("condition"):
                out.append((cond["condition"], cond["nodeType"]))
        for call in find_all("FunctionCall", node):
            callee = call.get("expression") or {}
            if callee.get("nodeType") == "Identifier" and callee.get("name") in ("require", "assert") and call.get("arguments"):
                out.append((call["arguments"][0], callee["name"]))
    return out


def read_in_conditions(build_info: dict[str, Any], fqn: str) -> dict[str, str]:
    """Variable name (as ``sim.writes.variables`` names it: ``_x``, ``Namespace.member``) ->
    where the code first reads it in a condition (``<source>:<line> (require)``)."""
    index = index_of(build_info)
    bases = index.linearized(index.contract(fqn))
    names: dict[int, str] = {}
    for base in bases:
        for node in base.get("nodes", []):
            if node.get("nodeType") == "VariableDeclaration" and node.get("stateVariable") and not node.get("constant") \
                    and node.get("mutability") != "immutable":
                names[node["id"]] = node["name"]
    for struct in find_all("StructDefinition", {"nodes": list(index.nodes.values())}):
        prefix = str(struct.get("name", ""))
        for member in struct.get("members", []):
            names.setdefault(member["id"], f"{prefix}.{member['name']}")
    out: dict[str, str] = {}
    for cond, holder in _conditions(bases):
        for ref in find_all(("Identifier", "MemberAccess"), cond):
            name = names.get(ref.get("referencedDeclaration") or -1)
            if name is not None and name not in out:
                out[name] = f"{index.location(cond) or fqn} ({holder})"
    return out
