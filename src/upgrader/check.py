"""The upgrade-safety check: layouts compared against references, plus unsafe patterns.

Library entry point behind ``upgrader check``. Input is a ``BuildSet`` (one build-info or a
folder of them); references come from ``@custom:oz-upgrades-from``, an explicit reference,
or ``git:<rev>:<Contract>`` (another revision of this project, compiled in a worktree).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from upgrader.errors import InputError
from upgrader.findings import Finding
from upgrader.layout.buildset import BuildSet
from upgrader.layout.compare import StorageOp, compare_layouts
from upgrader.layout.model import StorageLayout
from upgrader.layout.report import findings as layout_findings
from upgrader.layout.report import render

__all__ = ["CheckReport", "ContractResult", "check", "compare_with_stored", "git_reference_builds"]

Validator = Callable[[dict, str, frozenset], list]


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

    def explain(self) -> str:
        mark = "✔" if self.ok else "✘"
        against = f" (upgrade from {self.reference})" if self.reference else ""
        lines = [f"{mark} {self.contract}{against}"]
        lines += [render(f) for f in (*self.errors, *self.warnings)]
        return "\n".join(lines)


@dataclass(frozen=True)
class CheckReport:
    contracts: tuple[ContractResult, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.contracts)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "contracts": [c.to_json() for c in self.contracts]}

    def explain(self) -> str:
        return "\n".join(c.explain() for c in self.contracts)


def check(
    builds: BuildSet,
    contract: str | None = None,
    reference: str | None = None,
    unsafe_allow: frozenset[str] = frozenset(),
    project_root: Path | None = None,
) -> CheckReport:
    """Check one contract (``contract``) or every upgradeable contract in ``builds``."""
    builds.require_layouts()
    if reference is not None and contract is None:
        raise InputError("--reference needs --contract: say which contract upgrades from it")
    targets = [builds.resolve(contract)] if contract else list(builds.upgradeable())
    validator = _validator()
    results = []
    for fqn in targets:
        if reference is not None:
            ref_builds, ref_fqn = _explicit_reference(builds, reference, project_root)
        else:
            ref_builds, ref_fqn = builds, _annotated_reference(builds, fqn)
        results.append(check_contract(builds, fqn, ref_builds, ref_fqn, unsafe_allow, validator))
    return CheckReport(tuple(results))


def check_contract(
    builds: BuildSet,
    fqn: str,
    ref_builds: BuildSet,
    ref_fqn: str | None,
    unsafe_allow: frozenset[str] = frozenset(),
    validator: Validator | None = None,
) -> ContractResult:
    found: list[Finding] = []
    ops: list[StorageOp] = []
    if validator is not None:
        found += validator(builds.build_info(fqn), fqn, unsafe_allow)
    if ref_fqn is not None:
        ops = compare_layouts(ref_builds.layout(ref_fqn), builds.layout(fqn))
    else:
        ops = compare_layouts(StorageLayout(fqn, ()), builds.layout(fqn))  # still catches duplicate namespaces
    found += layout_findings(ops)
    errors = tuple(f for f in found if f.severity == "error")
    warnings = tuple(f for f in found if f.severity == "warning")
    return ContractResult(fqn, ref_fqn, errors, warnings, tuple(ops))


def compare_with_stored(
    stored: StorageLayout | Mapping[str, Any],
    build_info: dict[str, Any],
    contract: str,
    unsafe_allow: frozenset[str] | None = None,
) -> ContractResult:
    """Compare a stored layout (``StorageLayout.to_json()`` form) with a contract of a build;
    with ``unsafe_allow`` given, the contract is also validated (the plan step's verdict)."""
    old = stored if isinstance(stored, StorageLayout) else StorageLayout.from_json(stored)
    builds = BuildSet.of(build_info)
    fqn = builds.resolve(contract)
    validator = _validator() if unsafe_allow is not None else None
    found: list[Finding] = list(validator(build_info, fqn, unsafe_allow)) if validator and unsafe_allow is not None else []
    ops = compare_layouts(old, builds.layout(fqn))
    found += layout_findings(ops)
    errors = tuple(f for f in found if f.severity == "error")
    warnings = tuple(f for f in found if f.severity == "warning")
    return ContractResult(fqn, old.contract, errors, warnings, tuple(ops))


def _annotated_reference(builds: BuildSet, fqn: str) -> str | None:
    name = builds.upgrades_from(fqn)
    if name is None:
        return None
    try:
        return builds.resolve(name)
    except InputError as exc:
        raise InputError(f"{fqn}: @custom:oz-upgrades-from {name}: {exc}") from None


def _explicit_reference(builds: BuildSet, reference: str, root: Path | None) -> tuple[BuildSet, str]:
    if reference.startswith("git:"):
        _, rev, name = (reference.split(":", 2) + ["", ""])[:3]
        if not rev or not name:
            raise InputError("a git reference is git:<rev>:<Contract>, e.g. git:v1.0.0:Vault")
        ref_builds = git_reference_builds(rev, root)
        return ref_builds, ref_builds.resolve(name)
    return builds, builds.resolve(reference)


def git_reference_builds(rev: str, root: Path | None = None) -> BuildSet:
    """Compile the project as of git revision ``rev`` in a temporary worktree."""
    import tempfile

    from upgrader.build import project

    root = root or project.find_root()
    with tempfile.TemporaryDirectory(prefix="upgrader-ref-") as tmp:
        tree = Path(tmp) / "tree"
        _git(root, "worktree", "add", "--detach", "--quiet", str(tree), rev)
        try:
            info = project.project_build_info(tree, fallback=root)
        finally:
            _git(root, "worktree", "remove", "--force", str(tree))
    return BuildSet.of(info)


def _git(root: Path, *args: str) -> None:
    import subprocess  # only for git references; ~10 ms of start-up otherwise

    proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        detail = proc.stderr.strip().splitlines()[-1:] or ["git failed"]
        raise InputError(f"git {args[0]} {args[-1]}: {detail[0]}; is the revision a commit of this repository?")


def _validator() -> Validator | None:
    """The unsafe-pattern validator, if installed (``upgrader.validate``)."""
    try:
        from upgrader.validate import validate_contract
    except ModuleNotFoundError as exc:
        if exc.name in ("upgrader.validate",):
            return None
        raise
    except ImportError:
        return None
    return validate_contract  # type: ignore[no-any-return]
