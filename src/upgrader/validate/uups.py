"""UUPS rules. A contract is a UUPS implementation when it (or a base) has a public or
external ``proxiableUUID()``, the function ERC-1822 proxies and ``upgradeToAndCall`` check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from upgrader.findings import Finding
from upgrader.solc_ast.bodies import body
from upgrader.solc_ast.walk import Node, find_all
from upgrader.validate.context import Context

PROXIABLE_UUID = "52d1902d"  # proxiableUUID()
UPGRADE_SELECTORS = frozenset({"4f1ef286", "3659cfe6"})  # upgradeToAndCall(address,bytes), upgradeTo(address)


def is_uups(ctx: Context) -> bool:
    return PROXIABLE_UUID in _selectors(ctx)


def _selectors(ctx: Context) -> set[str]:
    return {
        fn["functionSelector"]
        for contract in ctx.linearized
        for fn in contract["nodes"]
        if fn["nodeType"] == "FunctionDefinition" and fn.get("functionSelector")
    }


def missing_upgrade_function(ctx: Context) -> Iterator[Finding]:
    """Without a public ``upgradeToAndCall`` (or legacy ``upgradeTo``) this version is the last.

    Checked when the contract looks UUPS (``proxiableUUID``) or the version it upgrades from is
    UUPS (a V2 that dropped UUPSUpgradeable), as OpenZeppelin does for the latter; stricter than
    OpenZeppelin, which infers UUPS only from these very functions. The contract-level
    annotation is honoured here as well as ``--unsafe-allow``."""
    if (ctx.reference_uups or is_uups(ctx)) and not (_selectors(ctx) & UPGRADE_SELECTORS):
        if not ctx.skip("missing-public-upgradeto", ctx.contract):
            yield ctx.finding("missing-public-upgradeto", ctx.contract)


def missing_disable_initializers(ctx: Context) -> Iterator[Finding]:
    """A UUPS implementation must lock itself: ``_disableInitializers()`` in a constructor of
    the contract or one of its bases. Otherwise anyone can initialize the implementation.

    A constructor with the ``initializer`` modifier (``constructor() initializer {}``, what
    OpenZeppelin's docs advised before 4.6 added ``_disableInitializers``) locks it as well:
    Initializable sets version 1 while the contract is created, so every ``initializer``
    function of the bare implementation reverts after. Only a ``reinitializer(n)`` stays open
    then (n > 1), so a contract that has one still needs ``_disableInitializers()``."""
    state, own = _lock_state(ctx)
    if state == "open":
        yield ctx.finding("missing-disable-initializers", own or ctx.contract)


def lock_requirement(build_info: dict[str, Any], fqn: str, unsafe_allow: frozenset[str] = frozenset()) -> str:
    """What this rule holds ``fqn`` to, for the probe that calls its initializers on the chain
    (``sim.locks``): ``"required"`` (a UUPS implementation the rule holds to a lock),
    ``"allowed"`` (UUPS, and the team allowed the kind: ``unsafe_allow`` or an annotation) or
    ``"not-uups"`` (no upgrade function on the implementation: the rule asks nothing)."""
    from upgrader.validate import index_for

    index = index_for(build_info)
    state, _ = _lock_state(Context(index, index.contract(fqn)))
    if state == "not-uups":
        return "not-uups"
    if state == "allowed" or (state == "open" and "missing-disable-initializers" in unsafe_allow):
        return "allowed"
    return "required"


def _lock_state(ctx: Context) -> tuple[str, Node | None]:
    """``not-uups``, ``locks`` (a constructor locks it), ``allowed`` (an annotation allows the
    kind) or ``open``; with the contract's own constructor, where a finding points."""
    if not is_uups(ctx) or ctx.contract.get("abstract"):
        return "not-uups", None
    constructors = [
        fn
        for contract in ctx.linearized
        for fn in contract["nodes"]
        if fn["nodeType"] == "FunctionDefinition" and fn["kind"] == "constructor"
    ]
    if any(_calls_disable_initializers(ctx, fn) for fn in constructors):
        return "locks", None
    if any(_has_modifier(fn, "initializer") for fn in constructors) and not _has_reinitializer(ctx):
        return "locks", None
    own = next((fn for fn in constructors if ctx.index.container(fn) is ctx.contract), None)
    return ("allowed" if ctx.skip("missing-disable-initializers", ctx.contract, own) else "open"), own


def _has_modifier(fn: Node, name: str) -> bool:
    return any(m["modifierName"].get("name") == name for m in fn.get("modifiers", []))


def _has_reinitializer(ctx: Context) -> bool:
    """Whether the contract (or a base) has a function a stranger could still run on an
    implementation its constructor initialized: one guarded by ``reinitializer(n)``."""
    return any(
        fn["nodeType"] == "FunctionDefinition" and _has_modifier(fn, "reinitializer")
        for contract in ctx.linearized
        for fn in contract["nodes"]
    )


def _calls_disable_initializers(ctx: Context, constructor: Node) -> bool:
    for call in find_all("FunctionCall", body(constructor) or {}):
        fn = ctx.index.function(call["expression"].get("referencedDeclaration"))
        if fn is not None and fn["name"] == "_disableInitializers":
            return True
    return False


def unprotected_authorize_upgrade(ctx: Context) -> Iterator[Finding]:
    """The ``_authorizeUpgrade`` the contract runs must restrict who upgrades: an empty body
    without modifiers lets anyone replace the implementation."""
    for contract in ctx.linearized:  # most derived first: the first implementation is the one that runs
        fn = next(
            (
                fn
                for fn in contract["nodes"]
                if fn["nodeType"] == "FunctionDefinition" and fn["name"] == "_authorizeUpgrade" and body(fn)
            ),
            None,
        )
        if fn is None:
            continue
        empty = not body(fn).get("statements") and not fn.get("modifiers")
        if empty and not ctx.skip("unprotected-authorize-upgrade", ctx.contract, contract, fn):
            yield ctx.finding("unprotected-authorize-upgrade", fn, contract=contract["name"])
        return
