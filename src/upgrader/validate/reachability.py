"""``delegatecall`` and ``selfdestruct``, wherever they are reachable from the contract.

The walk starts from all code of the contract itself and from the non-internal code of its
bases (an internal base function counts only when something calls it), then follows every
call into functions of the contract, its bases and libraries. A call to a virtual function is
followed to the override the deployed contract actually runs, so an internal override in a
middle base is not missed.

Annotations, as in OpenZeppelin: ``unsafe-allow K`` on a node allows K in that node's own code;
``unsafe-allow-reachable K`` also stops the walk into what it calls. On a contract they apply
to all its functions; ``-reachable`` on the contract under validation also skips its bases.
"""

from __future__ import annotations

from collections.abc import Iterator

from upgrader.errors import InputError
from upgrader.findings import Finding
from upgrader.solc_ast.walk import Node
from upgrader.validate.context import Context
from upgrader.validate.kinds import Kind

# the call's typeIdentifier prefix (solc_ast.buildinfo.CALL_TYPES lists the same, to tell a build
# that holds none of them: then there is nothing to walk for)
OPCODES: dict[Kind, str] = {
    "delegatecall": "t_function_baredelegatecall_",
    "selfdestruct": "t_function_selfdestruct_",
}


def opcodes(ctx: Context) -> Iterator[Finding]:
    """A kind whose call type the build does not hold has nothing to report; its walk is still
    taken when an annotation the walk could read is malformed, so that error stays reported."""
    for kind, call_type in OPCODES.items():
        if ctx.index.may_call(call_type) or not _annotations_read(ctx):
            yield from _Walk(ctx, kind).run()


def _annotations_read(ctx: Context) -> bool:
    """Whether the allow annotations of every node a walk prunes by (contracts, their members,
    free functions) read without an error; once per build."""
    key = ("annotations-read",)
    memo = ctx.index.memo
    if key not in memo:
        memo[key] = True
        try:
            for node in ctx.index.nodes.values():
                ctx.allowed(node)
        except InputError:
            memo[key] = False
    return memo[key]  # type: ignore[no-any-return]


_CODE = ("FunctionDefinition", "ModifierDefinition")


def _is_internal(node: Node) -> bool:
    return (
        node["nodeType"] == "FunctionDefinition"
        and node["kind"] != "constructor"  # a base constructor always runs
        and node["visibility"] in ("internal", "private")
    )


def _label(node: Node, container: Node | None) -> str:
    name = node.get("name") or node.get("kind") or "?"
    return f"{container['name']}.{name}" if container is not None else name


class _Walk:
    def __init__(self, ctx: Context, kind: Kind) -> None:
        self.ctx = ctx
        self.kind = kind
        self.call_type = OPCODES[kind]
        self.walked: set[int] = set()
        self.found: dict[int, tuple[Node, str | None]] = {}  # call id -> (call, entry point)

    def run(self) -> Iterator[Finding]:
        scanned = [(self.ctx.contract, False)]
        if not self._reachable_allowed(self.ctx.contract):
            scanned += [(base, True) for base in self._bases(self.ctx.contract)]
        for contract, inherited in scanned:  # own code first, so it is reported without a path
            self._scan_contract(contract, inherited, follow=False)
        for contract, inherited in scanned:
            self._scan_contract(contract, inherited, follow=True)
        for call, origin in sorted(self.found.values(), key=lambda item: item[0]["id"]):
            via = f" (reachable from `{origin}`)" if origin else ""
            yield self.ctx.finding(self.kind, call, via=via)

    def _bases(self, contract: Node) -> list[Node]:
        """Bases, transitively; a base annotated ``-reachable`` hides its own bases."""
        result: list[Node] = []
        todo = [contract]
        seen = {contract["id"]}
        while todo:
            current = todo.pop(0)
            for spec in current.get("baseContracts", []):
                base = self.ctx.index.nodes[spec["baseName"]["referencedDeclaration"]]
                if base["id"] in seen:
                    continue
                seen.add(base["id"])
                result.append(base)
                if not self._reachable_allowed(base):
                    todo.append(base)
        return result

    def _allowed(self, node: Node) -> bool:
        return self.ctx.skip(self.kind, node)

    def _reachable_allowed(self, node: Node) -> bool:
        return self.kind in self.ctx.allowed_reachable(node)

    def _scan_contract(self, contract: Node, inherited: bool, follow: bool) -> None:
        """An inherited internal function counts only when called, so it is skipped here
        (functions are only ever contract members, so skipping members is enough)."""
        if (self._reachable_allowed(contract) if follow else self._allowed(contract)):
            return
        for member in contract["nodes"]:
            if inherited and _is_internal(member):
                continue
            if not follow:
                self._direct(member, None)
            else:
                origin = _label(member, contract) if member["nodeType"] in _CODE else None
                self._follow(member, origin)

    def _walk_function(self, fn: Node, origin: str | None) -> None:
        if fn["id"] in self.walked:
            return
        self.walked.add(fn["id"])
        container = self.ctx.index.container(fn)
        if container is None or not self._allowed(container):
            self._direct(fn, origin)
        if container is None or not self._reachable_allowed(container):
            self._follow(fn, origin)

    def _calls(self, root: Node, reachable: bool) -> list[Node]:
        """The calls in ``root``, not descending into nodes that allow this kind (``reachable``:
        only those that allow it with ``-reachable``). The same for every contract of the build,
        so it is filtered once per build: 64 contracts sharing their bases cost one walk, not 64."""
        key = ("calls", root["id"], self.kind, reachable)
        memo = self.ctx.index.memo
        if key not in memo:
            pruned = self._reachable_allowed if reachable else self._allowed
            calls = self.ctx.index.calls_under(root)
            memo[key] = [call for call, guards in calls if not any(pruned(node) for node in guards)]
        return memo[key]  # type: ignore[no-any-return]

    def _direct(self, root: Node, origin: str | None) -> None:
        for call in self._calls(root, reachable=False):
            type_id = call["expression"].get("typeDescriptions", {}).get("typeIdentifier") or ""
            if type_id.startswith(self.call_type) and call["id"] not in self.found:
                self.found[call["id"]] = (call, origin)

    def _follow(self, root: Node, origin: str | None) -> None:
        for call in self._calls(root, reachable=True):
            target = self._target(call["expression"])
            if target is not None:
                self._walk_function(target, origin)

    def _target(self, expression: Node) -> Node | None:
        while expression["nodeType"] == "FunctionCallOptions":
            expression = expression["expression"]
        fn = self.ctx.index.function(expression.get("referencedDeclaration"))
        if fn is None:
            return None
        container = self.ctx.index.container(fn)
        if container is None or container["contractKind"] == "library":
            return fn
        is_super = expression["nodeType"] == "MemberAccess" and expression["expression"].get("name") == "super"
        return fn if is_super else self.ctx.index.dispatch(fn, self.ctx.contract)
