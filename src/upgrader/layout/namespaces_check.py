"""ERC-7201 namespace errors of a whole build, which OpenZeppelin's validate stops on
(``validate/run.ts`` checkNamespacesOutsideContract, ``storage/namespace.ts``
DuplicateNamespaceError): a ``@custom:storage-location`` struct declared outside a contract
(no layout check ever sees it), and one id used twice in a contract and its bases."""

from __future__ import annotations

from collections.abc import Sequence

from upgrader.findings import Finding
from upgrader.layout.buildset import BuildSet
from upgrader.layout.namespaces import storage_location


def namespace_errors(main: BuildSet, others: Sequence[BuildSet] = (), reported: frozenset[str] = frozenset()) -> list[Finding]:
    """Every namespace error in the builds; a duplicate in a contract of the main build that is
    in ``reported`` is left to that contract's own result (``layout-namespace-duplicate``)."""
    found: dict[tuple[str, str | None], Finding] = {}
    for builds in (main, *others):
        main_set = builds is main
        for build in builds.builds:
            index = build.index
            for source, data in sorted(build.info.get("output", {}).get("sources", {}).items()):
                for node in (data.get("ast") or {}).get("nodes", ()):
                    if node.get("nodeType") == "StructDefinition" and storage_location(node) is not None:
                        where = index.location(node)
                        found[("outside", where)] = Finding(
                            "namespace-outside-contract",
                            f"Namespace struct `{node['name']}` is declared outside a contract",
                            "Declare a struct annotated `@custom:storage-location` inside the contract that uses it "
                            "(outside a contract no layout check sees it), or remove the annotation",
                            where,
                        )
            for fqn, contract in sorted(index.contracts.items()):
                if main_set and fqn in reported:
                    continue
                seen: dict[str, str | None] = {}
                for base in reversed(index.linearized(contract)):
                    for child in base.get("nodes", ()):
                        if child.get("nodeType") != "StructDefinition":
                            continue
                        namespace_id = storage_location(child)
                        if namespace_id is None:
                            continue
                        where = index.location(child)
                        if namespace_id in seen and ("duplicate", where) not in found:
                            found[("duplicate", where)] = Finding(
                                "namespace-duplicate",
                                f"Namespace erc7201:{namespace_id} is declared twice for `{contract['name']}` "
                                f"(also at {seen[namespace_id]})",
                                "Use a unique namespace id for each `@custom:storage-location erc7201:<id>` struct "
                                "of a contract and its bases",
                                where,
                            )
                        seen.setdefault(namespace_id, where)
    return list(found.values())
