"""The builds a check reads, as facts (``check.facts``): one build-info, a folder of them, or
a reference build-info folder.

Facts come from the cache or from extracting each file (``check.load``), or from an
in-memory ``BuildSet``. A fact that was not extracted (the layout of an abstract contract
named as a reference) is extracted from the build when asked for, reading its file again.
A folder is read as one build: a source unit held by two files with different text means one
of them is stale, and the folder is refused, whatever the files are called.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from upgrader.check import facts as F
from upgrader.errors import InputError
from upgrader.findings import Finding
from upgrader.layout.contract_builds import ContractBuilds
from upgrader.layout.model import StorageLayout

if TYPE_CHECKING:
    from upgrader.layout.buildset import BuildSet

CLEAN_AND_REBUILD = "clean and rebuild (forge clean && forge build, or npx hardhat clean && npx hardhat compile)"


@dataclass
class BuildFacts:
    """The facts of one build-info, and how to get the build back for a fact not extracted."""

    facts: F.Facts
    name: str
    reopen: Callable[[], BuildSet]
    path: Path | None = None
    _live: BuildSet | None = None
    on_change: Callable[[BuildFacts], None] | None = None  # keeps the cache entry whole

    @property
    def contracts(self) -> dict[str, F.Facts]:
        return self.facts["contracts"]  # type: ignore[no-any-return]

    def rebuild(self) -> None:
        """Extract the facts again from the build (a cached entry that does not read back)."""
        from upgrader.check.extract import extract

        if self._live is None:
            self._live = self.reopen()
        self.facts = extract(self._live)
        if self.on_change is not None:
            self.on_change(self)

    def verdict(self, fqn: str, key: str) -> Any:
        entry = self.contracts[fqn]
        if "layout" not in entry:  # not concrete: extracted on first use
            from upgrader.check.extract import verdict

            if self._live is None:
                self._live = self.reopen()
            entry.update(verdict(self._live, fqn))
            if self.on_change is not None:
                self.on_change(self)
        return F.value(entry.get(key, entry["findings"] if key == "findings_uups" else None))


@dataclass
class CheckBuilds(ContractBuilds[BuildFacts]):
    _by_name: tuple[int, dict[str, list[str]]] = (-1, {})  # (len(owner) when built, Name -> fqns)

    @classmethod
    def of(cls, builds: list[BuildFacts], dir_name: str = "") -> CheckBuilds:
        checked = cls(dir_name=dir_name)
        for build in builds:
            checked.hold(build, build.contracts)  # same text in every build (refuse_stale): any one will do
        return checked

    @classmethod
    def of_buildset(cls, buildset: BuildSet) -> CheckBuilds:
        """The facts of builds held in memory, extracted here."""
        from upgrader.check.extract import extract
        from upgrader.layout.buildset import BuildSet

        singles = []
        for build in buildset.builds:
            single = BuildSet(dir_name=buildset.dir_name)
            single.hold(build, build.index.contracts)
            singles.append(BuildFacts(extract(single), build.name, lambda s=single: s, build.path, single))
        return cls.of(singles, buildset.dir_name)

    def resolve(self, name: str) -> str:
        """``Name`` or ``<source>:<Name>`` -> the fully qualified name; unknown/ambiguous is an input error."""
        if name in self.owner:
            return name
        matches = self.named(name)
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise InputError(f"unknown contract {name!r}; use a contract name or <source>:<Name> from the build")
        raise InputError(f"contract name {name!r} is ambiguous ({', '.join(matches)}); use <source>:<Name>")

    def named(self, name: str) -> list[str]:
        """The fully qualified names whose contract name is ``name``, sorted. An index built once
        (a folder of 3,200 contracts resolves 1,600 references: a scan each was quadratic)."""
        size, index = self._by_name
        if size != len(self.owner):
            index = {}
            for fqn in sorted(self.owner):
                index.setdefault(fqn.rpartition(":")[2], []).append(fqn)
            self._by_name = (len(self.owner), index)
        return list(index.get(name, ()))

    def contract(self, fqn: str) -> F.Facts:
        return self.owner[fqn].contracts[fqn]

    def is_concrete(self, fqn: str) -> bool:
        entry = self.contract(fqn)
        return entry["kind"] == "contract" and not entry["abstract"]

    def annotation(self, fqn: str) -> tuple[bool, str | None]:
        annotated, name = F.value(self.contract(fqn)["annotation"])
        return bool(annotated), name

    def _read_layout(self, fqn: str) -> StorageLayout:
        return self._read(fqn, "layout", StorageLayout.from_json)  # type: ignore[no-any-return]

    def findings(self, fqn: str, reference_uups: bool = False) -> list[Finding]:
        """The contract's unsafe-pattern findings, nothing allowed (the engine filters)."""
        key = "findings_uups" if reference_uups else "findings"
        return self._read(fqn, key, lambda found: [F.finding_of(f) for f in found])  # type: ignore[no-any-return]

    def _read(self, fqn: str, key: str, parse: Callable[[Any], Any]) -> Any:
        build = self.owner[fqn]
        try:
            return parse(build.verdict(fqn, key))
        except (KeyError, TypeError, ValueError, AttributeError):  # an entry that does not read back
            build.rebuild()
            return parse(build.verdict(fqn, key))

    def require_layouts(self) -> None:
        """Fail early, with the fix, when no build asked for storage layouts at all."""
        if not any(build.facts["layouts"] for build in self.builds):
            from upgrader.layout.extract import STORAGE_LAYOUT_HINT

            raise InputError(f"the build-info has no storageLayout output; {STORAGE_LAYOUT_HINT}")

    def refuse_stale(self) -> None:
        """Two builds that hold the same source unit with different text: one is stale.
        Decided by content alone, so the verdict never depends on the files' names or order.
        (OpenZeppelin's validate stops in the same situation with "clean and recompile".)"""
        first: dict[str, tuple[str, BuildFacts]] = {}
        clashes: dict[str, set[str]] = {}
        for build in self.builds:
            for unit, digest in build.facts["units"].items():
                if digest is None:
                    continue
                seen = first.setdefault(unit, (digest, build))
                if seen[0] != digest:
                    clashes.setdefault(unit, {seen[1].name}).add(build.name)
        if not clashes:
            return
        unit = min(clashes)
        contracts = sorted(fqn for fqn in self.owner if fqn.rpartition(":")[0] == unit) or [unit]
        more = f" (and {len(clashes) - 1} more source files)" if len(clashes) > 1 else ""
        raise InputError(
            f"stale build-info: {', '.join(contracts)} was built twice from different sources{more}, "
            f"in {' and '.join(sorted(clashes[unit]))}; {CLEAN_AND_REBUILD}"
        )


def as_check_builds(builds: BuildSet | CheckBuilds) -> CheckBuilds:
    """The facts of ``builds``; a ``BuildSet`` is extracted once and its facts kept with it."""
    if isinstance(builds, CheckBuilds):
        return builds
    for known, checked in _extracted:
        if known is builds:
            return checked
    checked = CheckBuilds.of_buildset(builds)
    _extracted[:] = [*_extracted[-7:], (builds, checked)]
    return checked


_extracted: list[tuple[BuildSet, CheckBuilds]] = []
