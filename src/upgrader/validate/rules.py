"""The declaration rules: one function per kind, each over the contract and its bases
(a base's constructor, immutables and initial values end up in the deployed contract too).

The opcode rules live in ``reachability``, the initializer rules in ``initializers`` and the
UUPS rules in ``uups``."""

from __future__ import annotations

import re
from collections.abc import Iterator

from upgrader.findings import Finding
from upgrader.solc_ast.bodies import body, read_all
from upgrader.solc_ast.natspec import documentation
from upgrader.solc_ast.walk import Node, find_all
from upgrader.validate.context import Context

_PLACEHOLDER = re.compile(r"__\$([0-9a-fA-F]{34})\$__")


def constructor(ctx: Context) -> Iterator[Finding]:
    """A constructor with statements or modifiers runs against the implementation's storage,
    never the proxy's. An empty constructor is fine; ``_disableInitializers()`` alone still
    needs ``@custom:oz-upgrades-unsafe-allow constructor``, exactly as in OpenZeppelin."""
    for contract in ctx.linearized:
        if ctx.skip("constructor", contract):
            continue
        for fn in contract["nodes"]:  # functions are only ever contract members
            if fn["nodeType"] != "FunctionDefinition" or fn["kind"] != "constructor" or ctx.skip("constructor", fn):
                continue
            statements = (body(fn) or {}).get("statements") or []
            if statements or fn.get("modifiers"):
                yield ctx.finding("constructor", fn, contract=contract["name"])


def state_variables(ctx: Context) -> Iterator[Finding]:
    """Immutables, and initial values of non-constant variables."""
    for contract in ctx.linearized:
        for var in contract["nodes"]:
            if var["nodeType"] != "VariableDeclaration":
                continue
            if var.get("mutability") == "immutable":
                if not ctx.skip("state-variable-immutable", contract, var):
                    yield ctx.finding("state-variable-immutable", var, name=var["name"])
            elif not var.get("constant") and var.get("value") is not None:
                if not ctx.skip("state-variable-assignment", contract, var):
                    yield ctx.finding("state-variable-assignment", var, name=var["name"])


def internal_function_storage(ctx: Context) -> Iterator[Finding]:
    """Internal function pointers in storage: in variables, array elements, mapping values,
    struct members (recursively) and ERC-7201 namespace structs. Solidity gives no way to
    annotate most of these, so only ``--unsafe-allow`` relaxes it (as in OpenZeppelin)."""
    visited: set[int] = set()
    for contract in ctx.linearized:
        for var in _storage_declarations(ctx, contract):
            yield from _function_pointers(ctx, var, var.get("typeName"), visited)


def _storage_declarations(ctx: Context, contract: Node) -> Iterator[Node]:
    for node in contract["nodes"]:
        if node["nodeType"] == "VariableDeclaration" and node.get("mutability") == "mutable":
            yield node
        elif node["nodeType"] == "StructDefinition" and "@custom:storage-location" in documentation(node):
            yield from node["members"]


def _function_pointers(ctx: Context, var: Node, type_name: Node | None, visited: set[int]) -> Iterator[Finding]:
    match type_name:
        case {"nodeType": "FunctionTypeName", "visibility": "internal"}:
            yield ctx.finding("internal-function-storage", var, name=var["name"])
        case {"nodeType": "ArrayTypeName"}:
            yield from _function_pointers(ctx, var, type_name["baseType"], visited)
        case {"nodeType": "Mapping"}:
            yield from _function_pointers(ctx, var, type_name["valueType"], visited)
        case {"nodeType": "UserDefinedTypeName", "referencedDeclaration": int(ref)} if ref not in visited:
            struct = ctx.index.nodes.get(ref)
            if struct is not None and struct["nodeType"] == "StructDefinition":
                visited.add(ref)
                for member in struct["members"]:
                    yield from _function_pointers(ctx, member, member.get("typeName"), visited)
        case _:
            return


def external_library_linking(ctx: Context) -> Iterator[Finding]:
    """Libraries with public or external functions that the bytecode must be linked against."""
    reported: set[int] = set()
    for contract in ctx.linearized:
        if ctx.skip("external-library-linking", contract):
            continue
        for library in _linked_libraries(ctx, contract):
            if library["id"] in reported:
                continue
            reported.add(library["id"])
            yield ctx.finding(
                "external-library-linking",
                _first_use(ctx, library) or library,
                contract=contract["name"],
                name=library["name"],
            )


def _linked_libraries(ctx: Context, contract: Node) -> list[Node]:
    unit = ctx.index.unit_of(contract)
    compiled = ctx.index.build_info["output"].get("contracts", {}).get(unit, {}).get(contract["name"], {})
    bytecode = compiled.get("evm", {}).get("bytecode", {})
    names: set[str] = set()
    if bytecode.get("linkReferences") is not None:
        names = {f"{src}:{lib}" for src, libs in bytecode["linkReferences"].items() for lib in libs}
    elif bytecode.get("object"):
        hashes = {h.lower() for h in _PLACEHOLDER.findall(bytecode["object"])}
        names = {fqn for fqn in _libraries(ctx) if _placeholder_hash(fqn) in hashes}
    return [ctx.index.contracts[name] for name in sorted(names) if name in ctx.index.contracts]


def _libraries(ctx: Context) -> list[str]:
    return [fqn for fqn, node in ctx.index.contracts.items() if node["contractKind"] == "library"]


def _placeholder_hash(fqn: str) -> str:
    from upgrader.keccak import keccak_pure

    return keccak_pure(fqn.encode()).hex()[:34]


def _first_use(ctx: Context, library: Node) -> Node | None:
    """The first place in the contract or its bases that calls a linked function of ``library``."""
    linked = {
        fn["id"]
        for fn in library["nodes"]
        if fn["nodeType"] == "FunctionDefinition" and fn["visibility"] in ("public", "external")
    }
    for contract in ctx.linearized:
        for ref in find_all(("Identifier", "MemberAccess"), read_all(contract)):
            if ref.get("referencedDeclaration") in linked:
                return ref
    return None
