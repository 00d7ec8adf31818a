"""Plain ``upgrader check`` also checks what ``plan`` will: each configured module's target
against its reference, whether or not the contracts carry OpenZeppelin annotations. The
reference is what the module's proxy runs: the layout a network's manifest records for it
(one pair per network whose manifest has the module), else the module's ``initial`` contract
in the same build; a module with neither (a proxy `upgrader import` adopted, no upgrade declared
yet) has nothing to check. Each pair is a result of the report, named ``<target> (upgrade from
<reference>, module <name>)``, so text, ``--json``, ``--format github/markdown`` (and any later
format over the same results) show it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from upgrader.check.builds import CheckBuilds
from upgrader.check.engine import CheckOptions, CheckReport, ContractResult, check_contract, parse_allowed
from upgrader.check.references import Ref
from upgrader.errors import InputError
from upgrader.findings import Finding
from upgrader.layout.compare import compare_layouts
from upgrader.layout.model import StorageLayout
from upgrader.layout.report import findings as layout_findings


def with_modules(report: CheckReport, main: CheckBuilds, root: Path, options: CheckOptions) -> CheckReport:
    """``report`` with a result per configured module pair it does not already hold."""
    from upgrader import config

    try:
        cfg = config.load(root)
    except InputError:  # no upgrader settings here: nothing configured to check
        return report
    added: list[ContractResult] = []
    for name, module in sorted(cfg.modules.items()):
        added += module_results(name, module, cfg, main, options, [*report.contracts, *added])
    return CheckReport((*report.contracts, *added), report.errors) if added else report


def module_results(name: str, module: Any, cfg: Any, main: CheckBuilds, options: CheckOptions,
                   done: list[ContractResult]) -> list[ContractResult]:
    if not module.target:  # neither target nor initial (what `upgrader import` writes): it stays on what it runs
        return []
    where = f"{cfg.source} modules.{name}"
    target = _resolve(main, module.target, f"{where}.target")
    validate = all(r.contract != target for r in done)  # its own findings are in the report once
    recorded = _recorded(cfg, name)
    if recorded:
        return [_against_stored(main, target, layout, f"{contract} as recorded in {net}'s manifest, module {name}", options, validate and i == 0)
                for i, (net, contract, layout) in enumerate(recorded)]
    initial = _resolve(main, module.initial, f"{where}.initial")
    if initial == target or any(r.contract == target and r.reference == initial for r in done):
        return []
    result = check_contract(main, target, Ref(main, initial, initial), options, validate=validate)
    return [ContractResult(result.contract, f"{initial}, module {name}", result.errors, result.warnings, result.ops)]


def _resolve(main: CheckBuilds, contract: str, where: str) -> str:
    try:
        return main.resolve(contract)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def _recorded(cfg: Any, name: str) -> list[tuple[str, str, StorageLayout]]:
    """(network, recorded contract, recorded layout) of the module's proxy in each manifest."""
    from upgrader.manifest import ManifestStore

    out = []
    for net in sorted(cfg.networks):
        store = ManifestStore(cfg.deployments, net)
        if not store.exists():
            continue
        record = next((p for p in store.load().proxies if p.name == name), None)
        if record is not None:
            out.append((net, record.implementation.contract, StorageLayout.from_json(record.implementation.storage_layout)))
    return out


def _against_stored(main: CheckBuilds, fqn: str, stored: StorageLayout, label: str, options: CheckOptions,
                    validate: bool) -> ContractResult:
    found: list[Finding] = []
    if validate:
        allow = parse_allowed(options.unsafe_allow)
        found += [f for f in main.findings(fqn) if f.kind not in allow]
    ops = compare_layouts(stored, main.layout(fqn), allow_renames=options.unsafe_allow_renames)
    found += layout_findings(ops)
    return ContractResult(fqn, label, tuple(f for f in found if f.severity == "error"),
                          tuple(f for f in found if f.severity == "warning"), tuple(ops))
