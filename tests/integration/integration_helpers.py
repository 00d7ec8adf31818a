"""Shared expectations and small checks for the integration tests."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from upgrader.stages.context import NetworkContext

UPGRADED = ["PropertyRegistry", "RentVault"]  # what the demo's V2 build upgrades
VERIFY_CHECKS = ["implementation-slot", "runtime-code", "implementation-locked", "storage-preservation"]
SMOKE = {  # as ape-config.yaml declares them, rendered "fn(args)"
    "PropertyRegistry": ["version()", "categoryCount()", "propertyCount()"],
    "RentVault": ["version()", "lateFeeBps()", "gracePeriod()"],
}


def edit_manifest(path: Path, change: Any) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def one_line_error(stderr: str) -> str:
    """The CLI's bad-input contract: exactly one non-empty line, "error: ...", no traceback."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got:\n{stderr}"
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def assert_bad_input(result: Any, expect: str) -> str:
    """Exit 2, one line on stderr that mentions ``expect``, and on stdout nothing (or with
    --json exactly that error as ``{"error": {"kind": "input", "message": ...}}``)."""
    detail = f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}\nexc: {result.exception!r}"
    assert result.exit_code == 2, detail
    line = one_line_error(result.stderr)
    if result.stdout != "":
        assert json.loads(result.stdout) == {"error": {"kind": "input", "message": line.removeprefix("error: ")}}, detail
    assert expect.lower() in line.lower(), line
    return line


def layout_item(manifest: Any, proxy: str, label: str) -> tuple[Any, Any]:
    """(recorded layout, the item or namespace member called ``label``)."""
    from upgrader.layout.model import StorageLayout

    layout = StorageLayout.from_json(manifest.proxy(proxy).implementation.storage_layout)
    items = [*layout.items, *(i for ns in layout.namespaces for i in ns.items)]
    matches = [i for i in items if i.label == label]
    assert len(matches) == 1, [i.label for i in items]
    return layout, matches[0]


def network_context(project: Any, w3: Any, build_info: dict, deployments: Path | None = None,
                    targets: dict[str, str] | None = None, network: str = "test") -> NetworkContext:
    modules = dict(project.modules)
    for name, target in (targets or {}).items():
        modules[name] = replace(modules[name], target=target)
    cfg = replace(project, modules=modules, deployments=deployments or project.deployments)
    return NetworkContext(config=cfg, network=cfg.network(network), w3=w3, build=build_info)
