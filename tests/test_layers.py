"""The layers hold (issue 18): no import circle between modules, and the pure engines import
nothing that touches a node, a service or the pipeline. Read from the source with ``ast``, so a
new import anywhere (a function body included, for the purity rules) is seen."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def _modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(path: Path, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = {f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in MODULES}
            found |= subs if len(subs) == len(node.names) else {node.module, *subs}
    return found


def _graph() -> dict[str, set[str]]:
    return {m: {d for d in _imports(p, True) if d in MODULES and d != m} for m, p in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while (w := stack.pop()) != v:
                on.discard(w)
                comp.append(w)
            on.discard(v)
            if comp:
                out.append(sorted([v, *comp]))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_circle():
    assert _cycles(_graph()) == []


PURE = {
    # package: what it may never import, at any depth of a function
    "upgrader.safe": ("upgrader.chain", "upgrader.safe_service", "upgrader.stages", "upgrader.sim", "web3", "ape"),
    "upgrader.layout": ("upgrader.validate", "upgrader.check", "upgrader.stages", "upgrader.chain", "web3", "ape"),
    "upgrader.solc_ast": ("upgrader.layout", "upgrader.validate", "upgrader.check", "upgrader.stages", "web3", "ape"),
    "upgrader.validate": ("upgrader.check", "upgrader.stages", "upgrader.chain", "web3", "ape"),
    "upgrader.chain": ("upgrader.stages", "upgrader.cli", "upgrader.sim"),
}


def test_pure_layers_import_nothing_above_them():
    broken = []
    for package, forbidden in PURE.items():
        for name, path in MODULES.items():
            if name == package or name.startswith(package + "."):
                for dep in _imports(path, top_level_only=False):
                    if any(dep == f or dep.startswith(f + ".") for f in forbidden):
                        broken.append(f"{name} imports {dep}")
    assert broken == []


def test_the_detector_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
