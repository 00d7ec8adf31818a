"""The upgrade-safety check: layouts compared against references, plus unsafe patterns.

Library entry point behind ``upgrader check``. Input is a ``BuildSet`` (one build-info or a
folder of them); references come from ``@custom:oz-upgrades-from``, an explicit reference,
a reference build-info folder (``<dir>:<Contract>``) or ``git:<rev>:<Contract>`` (another
revision of this project, compiled in a worktree, ``upgrader.check.gitref``). Which contracts are
reported follows OpenZeppelin's validate (``layout.upgradeability``), plus every contract named
as a reference, which is validated on its own too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from upgrader.errors import InputError
from upgrader.findings import Finding
from upgrader.check.builds import CheckBuilds, as_check_builds
from upgrader.check.facts import finding_of
from upgrader.check.references import Builds, Ref
from upgrader.layout import globs
from upgrader.layout.compare import StorageOp, compare_layouts
from upgrader.layout.model import StorageLayout
from upgrader.layout.report import findings as layout_findings
from upgrader.layout.report import render

if TYPE_CHECKING:
    from upgrader.layout.buildset import BuildSet

__all__ = ["CheckOptions", "CheckReport", "ContractResult", "check", "check_contract", "compare_with_stored", "git_reference_builds"]


@dataclass(frozen=True)
class CheckOptions:
    """OpenZeppelin's validate options, with the same meaning."""

    unsafe_allow: frozenset[str] = frozenset()
    exclude: tuple[str, ...] = ()  # globs over source paths (OpenZeppelin's defaults added)
    require_reference: bool = False
    unsafe_allow_renames: bool = False
    unsafe_skip_storage_check: bool = False

    @property
    def excluded(self) -> tuple[str, ...]:
        return (*globs.DEFAULT_EXCLUDE, *self.exclude)


@dataclass(frozen=True)
class ContractResult:
    contract: str
    reference: str | None
    errors: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()
    ops: tuple[StorageOp, ...] = field(default=(), compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        return {
            "contract": self.contract,
            "reference": self.reference,
            "ok": self.ok,
            "errors": [f.to_json() for f in self.errors],
            "warnings": [f.to_json() for f in self.warnings],
        }

    @property
    def against(self) -> str:
        """`` (upgrade from <ref>)``, with the revision for a git reference."""
        if not self.reference:
            return ""
        if self.reference.startswith("git:"):
            _, rev, fqn = self.reference.split(":", 2)
            return f" (upgrade from {fqn} at {rev})"
        return f" (upgrade from {self.reference})"

    def explain(self) -> str:
        mark = "✔" if self.ok else "✘"
        lines = [f"{mark} {self.contract}{self.against}"]
        lines += [render(f) for f in (*self.errors, *self.warnings)]
        return "\n".join(lines)


@dataclass(frozen=True)
class CheckReport:
    contracts: tuple[ContractResult, ...]
    errors: tuple[Finding, ...] = ()  # about the build as a whole (a namespace outside any contract)

    @property
    def ok(self) -> bool:
        return not self.errors and all(c.ok for c in self.contracts)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "errors": [f.to_json() for f in self.errors], "contracts": [c.to_json() for c in self.contracts]}

    def explain(self) -> str:
        return "\n".join([*(render(f) for f in self.errors), *(c.explain() for c in self.contracts)])


def check(
    builds: BuildSet | CheckBuilds,
    contract: str | None = None,
    reference: str | None = None,
    unsafe_allow: frozenset[str] = frozenset(),
    project_root: Path | None = None,
    *,
    options: CheckOptions | None = None,
    reference_builds: Sequence[BuildSet | CheckBuilds] = (),
) -> CheckReport:
    """Check one contract (``contract``) or every upgradeable contract in ``builds``."""
    options = options or CheckOptions(unsafe_allow=unsafe_allow)
    _check_options(options, contract, reference)
    main = as_check_builds(builds)
    main.require_layouts()
    others = [as_check_builds(b) for b in reference_builds]
    every = Builds.of(main, others)
    if contract is not None:
        fqn = every.main_contract(contract)
        if globs.matches(fqn.rpartition(":")[0], options.excluded) or not main.is_concrete(fqn):
            raise InputError(f"no report for {fqn}: it is abstract or excluded by --exclude; name a concrete, included contract")
        ref = _explicit_reference(every, reference, project_root) if reference else _annotated(every, fqn)
        plan = [(fqn, ref)]
    else:
        plan = _plan(every, options)
    results = []
    for fqn, ref in plan:
        if options.require_reference and ref is None:
            raise InputError(
                f"{fqn} does not say what it upgrades from; add `@custom:oz-upgrades-from <Contract>` or pass --reference"
            )
        if ref is not None and ref.builds is main and ref.fqn == fqn:
            raise InputError(f"{fqn} names itself as its reference; name the previous version (or another build with --reference-build-info)")
        results.append(check_contract(main, fqn, ref, options, validate=True))
    build_errors = namespace_errors(main, others, frozenset(fqn for fqn, _ in plan))
    return CheckReport(tuple(results), tuple(build_errors))


def _check_options(options: CheckOptions, contract: str | None, reference: str | None) -> None:
    if reference is not None and contract is None:
        raise InputError("--reference needs --contract: say which contract upgrades from it")
    if options.require_reference and contract is None:
        raise InputError("--require-reference needs --contract: say which contract must have a reference")
    if options.require_reference and options.unsafe_skip_storage_check:
        raise InputError("--require-reference and --unsafe-skip-storage-check cannot be used together; drop one")


def _plan(every: Builds, options: CheckOptions) -> list[tuple[str, Ref | None]]:
    """OpenZeppelin's upgradeable contracts of the main build, then every contract of the main
    build that one of them names as its reference (validated on its own)."""
    main = every.main
    chosen: dict[str, Ref | None] = {}
    named: set[str] = set()
    for fqn in sorted(main.owner):
        annotated, from_name = main.annotation(fqn)
        if not main.is_concrete(fqn) or globs.matches(fqn.rpartition(":")[0], options.excluded):
            continue
        ref = every.reference(from_name, fqn) if from_name else None
        if annotated or ref is not None or main.contract(fqn)["looks_upgradeable"]:
            chosen[fqn] = ref
            if ref is not None and ref.builds is main:
                named.add(ref.fqn)
    for fqn in sorted(named - set(chosen)):
        if main.is_concrete(fqn) and not globs.matches(fqn.rpartition(":")[0], options.excluded):
            chosen[fqn] = _annotated(every, fqn)
    return sorted(chosen.items())


def check_contract(
    builds: BuildSet | CheckBuilds,
    fqn: str,
    ref: Ref | None = None,
    options: CheckOptions = CheckOptions(),
    validate: bool = False,
) -> ContractResult:
    """One contract's verdict: its unsafe patterns (with ``validate``) and its layout against ``ref``."""
    main = as_check_builds(builds)
    ref_builds = as_check_builds(ref.builds) if ref is not None else None
    found: list[Finding] = []
    if validate:
        allow = parse_allowed(options.unsafe_allow)
        ref_uups = ref is not None and ref_builds is not None and bool(ref_builds.contract(ref.fqn)["upgrade_function"])
        own = [f for f in main.findings(fqn, reference_uups=ref_uups) if f.kind not in allow]
        found += [f for f in own if not globs.matches((f.location or "").rpartition(":")[0], options.excluded)]
    if options.unsafe_skip_storage_check:
        ref = None
    new = main.layout(fqn)
    # without a reference, an empty layout at the same base still catches duplicate namespaces
    old = ref_builds.layout(ref.fqn) if ref is not None and ref_builds is not None else StorageLayout(fqn, (), base=new.base)
    ops = compare_layouts(old, new, allow_renames=options.unsafe_allow_renames)
    found += layout_findings(ops)
    errors = tuple(f for f in found if f.severity == "error")
    warnings = tuple(f for f in found if f.severity == "warning")
    return ContractResult(fqn, ref.label if ref is not None else None, errors, warnings, tuple(ops))


def namespace_errors(main: CheckBuilds, others: Sequence[CheckBuilds] = (), reported: frozenset[str] = frozenset()) -> list[Finding]:
    """Every namespace error in the builds (a struct outside any contract, an id used twice in a
    contract and its bases), once per place; a duplicate in a contract of the main build that
    is in ``reported`` is left to that contract's own result (``layout-namespace-duplicate``)."""
    found: dict[tuple[str, str | None], Finding] = {}
    for builds in (main, *others):
        for build in builds.builds:
            for data in build.facts["outside"]:
                finding = finding_of(data)
                found[("outside", finding.location)] = finding
            for fqn, entry in sorted(build.contracts.items()):
                if builds is main and fqn in reported:
                    continue
                for data in entry["ns_duplicates"]:
                    finding = finding_of(data)
                    found.setdefault(("duplicate", finding.location), finding)
    return list(found.values())


def compare_with_stored(
    stored: StorageLayout | Mapping[str, Any],
    build_info: dict[str, Any],
    contract: str,
    unsafe_allow: frozenset[str] | None = None,
) -> ContractResult:
    """Compare a stored layout (``StorageLayout.to_json()`` form) with a contract of a build;
    with ``unsafe_allow`` given, the contract is also validated (the plan step's verdict)."""
    from upgrader.layout.buildset import BuildSet

    old = stored if isinstance(stored, StorageLayout) else StorageLayout.from_json(stored)
    builds = as_check_builds(BuildSet.of(build_info))
    fqn = builds.resolve(contract)
    found: list[Finding] = []
    if unsafe_allow is not None:
        allow = parse_allowed(unsafe_allow)
        found += [f for f in builds.findings(fqn) if f.kind not in allow]
    ops = compare_layouts(old, builds.layout(fqn))
    found += layout_findings(ops)
    errors = tuple(f for f in found if f.severity == "error")
    warnings = tuple(f for f in found if f.severity == "warning")
    return ContractResult(fqn, old.contract, errors, warnings, tuple(ops))


def parse_allowed(kinds: frozenset[str]) -> frozenset[str]:
    """``--unsafe-allow`` kinds, checked against the validator's kinds where it is installed."""
    if not kinds:
        return frozenset()
    try:
        from upgrader.validate import parse_unsafe_allow
    except ModuleNotFoundError:
        return frozenset(kinds)
    return parse_unsafe_allow(kinds)


def _annotated(every: Builds, fqn: str) -> Ref | None:
    _, name = every.main.annotation(fqn)
    return every.reference(name, fqn) if name else None


def _explicit_reference(every: Builds, reference: str, root: Path | None) -> Ref:
    if reference.startswith("git:"):
        _, rev, name = (reference.split(":", 2) + ["", ""])[:3]
        if not rev or not name:
            raise InputError("a git reference is git:<rev>:<Contract>, e.g. git:v1.0.0:Vault")
        ref_builds = as_check_builds(git_reference_builds(rev, root))
        fqn = ref_builds.resolve(name)
        return Ref(ref_builds, fqn, f"git:{rev}:{fqn}")
    return every.reference(reference)


def git_reference_builds(rev: str, root: Path | None = None) -> BuildSet:
    """Compile the project as of git revision ``rev`` (see ``upgrader.check.gitref``)."""
    from upgrader.check.gitref import reference_builds

    return reference_builds(rev, root)
