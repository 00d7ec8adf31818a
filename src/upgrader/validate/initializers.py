"""Initializer rules.

OpenZeppelin 5 semantics for parents: a parent needs initializing when it has an internal or
public initializer (``initializer``/``onlyInitializing`` modifier, a name ``initialize`` or
``initializer``, or ``@custom:oz-upgrades-validate-as-initializer``) whose body is not empty.
Parents initialized by another parent's initializer need no direct call. Each concrete
contract in the hierarchy must call every remaining parent exactly once (calls are followed
through the top-level statements of the functions it calls), in linearization order (a
warning otherwise). Reinitializers are not initializers unless annotated as such.

Ours: every ``reinitializer(n)`` needs ``n > 1``, a version no other reinitializer of the same
contract uses, and a version greater than any reinitializer of its bases.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from upgrader.findings import Finding
from upgrader.solc_ast.bodies import body
from upgrader.solc_ast.natspec import annotation_args, documentation, has_tag
from upgrader.solc_ast.walk import Node
from upgrader.validate.context import Context, names

VALIDATE_AS_INITIALIZER = "oz-upgrades-validate-as-initializer"


def initializer_calls(ctx: Context) -> Iterator[Finding]:
    for contract in ctx.linearized:
        if not contract.get("abstract") and contract["contractKind"] == "contract":
            yield from _contract_initializer_calls(ctx, contract)


def _contract_initializer_calls(ctx: Context, contract: Node) -> Iterator[Finding]:
    parents = list(reversed(ctx.index.linearized(contract)[1:]))  # most base first
    by_parent = {p["name"]: inits for p in parents if (inits := _initializers(ctx, p, parent=True))}
    remaining = _not_initialized_by_other_parents(ctx, by_parent)
    if not remaining:
        return
    own = _initializers(ctx, contract, parent=False)
    needs_own = len(remaining) > 1 or all(fn["visibility"] == "internal" for fn in by_parent[remaining[0]])
    if needs_own and not own and not ctx.skip("missing-initializer", contract):
        yield ctx.finding(
            "missing-initializer", contract, contract=contract["name"], parents=_init_names(by_parent, remaining)
        )
    for initializer in own:
        yield from _calls_of(ctx, contract, initializer, by_parent, remaining)


def _calls_of(
    ctx: Context, contract: Node, initializer: Node, by_parent: dict[str, list[Node]], direct: list[str]
) -> Iterator[Finding]:
    ids_of = {parent: {fn["id"] for fn in fns} for parent, fns in by_parent.items()}
    pending_order = list(by_parent)
    pending_direct = list(direct)
    called: set[int] = set()
    found: list[str] = []
    for statement, call in _top_level_calls(initializer):
        target = ctx.index.function(call["expression"].get("referencedDeclaration"))
        for fn_id in _called_ids(ctx, target, set()) if target else []:
            for parent, ids in ids_of.items():
                if fn_id not in ids:
                    continue
                duplicate = fn_id in called
                called.add(fn_id)
                if duplicate and not ctx.skip("duplicate-initializer-call", contract, initializer, statement):
                    yield ctx.finding(
                        "duplicate-initializer-call",
                        call,
                        function=display_name(initializer),
                        parent=parent,
                        parent_initializer=ctx.index.nodes[fn_id]["name"],
                    )
                if parent in found:
                    continue
                found.append(parent)
                if not duplicate and pending_order.index(parent) != 0:
                    if not ctx.skip("incorrect-initializer-order", contract, initializer):
                        yield ctx.finding(
                            "incorrect-initializer-order",
                            call,
                            function=display_name(initializer),
                            parent=parent,
                            expected=names(list(direct)),
                        )
                pending_order.remove(parent)
                if parent in pending_direct:
                    pending_direct.remove(parent)
    unchained = initializer["name"].endswith("_unchained")
    if pending_direct and not unchained and not ctx.skip("missing-initializer-call", contract, initializer):
        yield ctx.finding(
            "missing-initializer-call",
            initializer,
            function=display_name(initializer),
            parents=names(pending_direct),
            calls=_init_names(by_parent, pending_direct),
        )


def display_name(fn: Node) -> str:
    """How a message names a function: its name, or ``constructor`` (``fallback``, ``receive``),
    which solc gives no name (``constructor() initializer {}`` is an initializer too)."""
    return fn["name"] or fn["kind"]


def _init_names(by_parent: dict[str, list[Node]], parents: list[str]) -> str:
    return names([_entry_initializer(by_parent[p])["name"] for p in parents])


def _entry_initializer(fns: list[Node]) -> Node:
    """The initializer a child should call: the chained one rather than ``_unchained``."""
    chained = [fn for fn in fns if not fn["name"].endswith("_unchained")]
    return (chained or fns)[0]


def _not_initialized_by_other_parents(ctx: Context, by_parent: dict[str, list[Node]]) -> list[str]:
    remaining = list(by_parent)
    for parent in list(remaining):
        if parent not in remaining:
            continue
        for fn in by_parent[parent]:
            for _, call in _top_level_calls(fn):
                ref = call["expression"].get("referencedDeclaration")
                earlier = remaining[: remaining.index(parent)]
                for base in earlier:
                    if any(init["id"] == ref for init in by_parent[base]):
                        remaining.remove(base)
                        break
    return remaining


def _top_level_calls(fn: Node) -> Iterator[tuple[Node, Node]]:
    """(statement, call) for each top-level ``f(...)``/``x.f(...)`` statement of ``fn``."""
    for statement in (body(fn) or {}).get("statements") or []:
        if statement["nodeType"] != "ExpressionStatement":
            continue
        call = statement["expression"]
        if call["nodeType"] == "FunctionCall" and call["expression"]["nodeType"] in ("Identifier", "MemberAccess"):
            yield statement, call


def _called_ids(ctx: Context, fn: Node, visited: set[int]) -> list[int]:
    """Ids of the functions ``fn`` calls through top-level statements, callees first, ``fn`` last."""
    if fn["id"] in visited:
        return []
    visited.add(fn["id"])
    result: list[int] = []
    for _, call in _top_level_calls(fn):
        target = ctx.index.function(call["expression"].get("referencedDeclaration"))
        if target is not None:
            result += _called_ids(ctx, target, visited)
    return result + [fn["id"]]


def _initializers(ctx: Context, contract: Node, parent: bool) -> list[Node]:
    return [
        fn
        for fn in contract["nodes"]
        if fn["nodeType"] == "FunctionDefinition" and _is_initializer(ctx, fn, parent)
    ]


def _is_initializer(ctx: Context, fn: Node, parent: bool) -> bool:
    doc = documentation(fn)
    annotated = has_tag(doc, VALIDATE_AS_INITIALIZER)
    if annotated and annotation_args(doc, VALIDATE_AS_INITIALIZER):
        from upgrader.errors import InputError

        raise InputError(f"{ctx.index.location(fn)}: @custom:{VALIDATE_AS_INITIALIZER} takes no arguments")
    modifiers = {m["modifierName"].get("name") for m in fn.get("modifiers", [])}
    looks_like = annotated or bool(modifiers & {"initializer", "onlyInitializing"}) or fn["name"] in (
        "initialize",
        "initializer",
    )
    if not looks_like or (fn.get("virtual") and not body(fn)) or fn["visibility"] == "private":
        return False
    if not parent:
        return True
    has_statements = bool((body(fn) or {}).get("statements"))
    return has_statements and fn["visibility"] in ("internal", "public")


def reinitializer_versions(ctx: Context) -> Iterator[Finding]:
    """Each ``reinitializer(n)`` must move the version forward."""
    found = list(_reinitializers(ctx))
    for depth, contract, fn, version in found:
        if ctx.skip("non-increasing-reinitializer", contract, fn):
            continue
        older = [entry for entry in found if entry[0] > depth]
        twins = [entry for entry in found if entry[0] == depth and entry[3] == version and entry[2]["id"] < fn["id"]]
        top = max(older, key=lambda entry: entry[3], default=None)
        if version <= 1:
            reason = "which is not greater than the version 1 that `initializer` sets"
        elif top is not None and top[3] >= version:
            reason = f"which is not greater than reinitializer({top[3]}) of `{top[1]['name']}.{top[2]['name']}`"
        elif twins:
            reason = f"which `{contract['name']}.{twins[0][2]['name']}` also uses"
        else:
            continue
        highest = max([entry[3] for entry in found if entry[0] >= depth and entry[2] is not fn] + [1])
        yield ctx.finding(
            "non-increasing-reinitializer",
            fn,
            function=display_name(fn),
            version=version,
            reason=reason,
            highest=highest,
            next=highest + 1,
        )


def _reinitializers(ctx: Context) -> Iterator[tuple[int, Node, Node, int]]:
    """(depth in the linearization, contract, function, version) of each ``reinitializer(n)``."""
    for depth, contract in enumerate(ctx.linearized):
        for fn in contract["nodes"]:
            if fn["nodeType"] != "FunctionDefinition":
                continue
            for modifier in fn.get("modifiers", []):
                if modifier["modifierName"].get("name") == "reinitializer" and modifier.get("arguments"):
                    version = _constant(ctx, modifier["arguments"][0])
                    if version is not None:
                        yield depth, contract, fn, version


def _constant(ctx: Context, expression: Node) -> int | None:
    """The value of a compile-time integer: a literal, arithmetic on literals, or a constant."""
    type_id = expression.get("typeDescriptions", {}).get("typeIdentifier") or ""
    match = re.fullmatch(r"t_rational_(\d+)_by_1", type_id)
    if match:
        return int(match[1])
    declaration = ctx.index.nodes.get(expression.get("referencedDeclaration", -1))
    if declaration and declaration.get("constant") and declaration.get("value"):
        return _constant(ctx, declaration["value"])
    return None
