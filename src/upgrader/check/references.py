"""Contract names across build-info folders, resolved as OpenZeppelin's validate resolves them
(``find-contract.ts``): ``Name`` or ``<source>:<Name>`` in the main build, ``<dir>:Name`` or
``<dir>:<source>:<Name>`` in the reference build-info folder whose short name (base name) is
``<dir>``. A name found more than once is an error: old copies of build-info files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from upgrader.check.builds import CLEAN_AND_REBUILD, CheckBuilds
from upgrader.errors import InputError

if TYPE_CHECKING:
    from upgrader.layout.buildset import BuildSet


@dataclass(frozen=True)
class Ref:
    builds: CheckBuilds | BuildSet  # a BuildSet is read through its facts (check.builds.as_check_builds)
    fqn: str
    label: str  # how reports name it: the fqn, `<dir>:<fqn>` or `git:<rev>:<fqn>`


@dataclass
class Builds:
    main: CheckBuilds
    folders: dict[str, CheckBuilds] = field(default_factory=dict)  # short name -> reference build-info folder

    @classmethod
    def of(cls, main: CheckBuilds, folders: list[CheckBuilds]) -> Builds:
        builds = cls(main, {})
        for folder in folders:
            if folder.dir_name in builds.folders or folder.dir_name == main.dir_name:
                raise InputError(
                    f"reference build-info folder name {folder.dir_name!r} is not unique (each short name must differ, "
                    "the main build-info folder's included); rename or move one of the folders"
                )
            builds.folders[folder.dir_name] = folder
        return builds

    def main_contract(self, name: str) -> str:
        """The contract to check: only from the main build, never with a folder prefix."""
        if _has_folder(name) and name.split(":", 1)[0] in self.folders:
            raise InputError(f"contract {name} must be named without a build-info folder; folders are only for references")
        return self.main.resolve(name)

    def reference(self, name: str, origin: str | None = None) -> Ref:
        where = f" (named in {origin})" if origin else ""
        found: list[Ref] = []
        if _has_folder(name):
            folder, _, rest = name.partition(":")
            if folder in self.folders:
                found += _matches(self.folders[folder], rest, folder)
            if folder == self.main.dir_name and folder:
                found += _matches(self.main, rest, "")
        found += _matches(self.main, name, "")
        if len(found) > 1:
            labels = ", ".join(sorted(r.label for r in found))
            raise InputError(f"contract name {name}{where} matches several contracts ({labels}); name it as <source>:<Name>, or {CLEAN_AND_REBUILD}")
        if not found:
            folders = ", ".join(sorted(self.folders)) or "none"
            raise InputError(
                f"could not find contract {name}{where}; use Name, <source>:<Name> or <dir>:<source>:<Name> "
                f"with a --reference-build-info folder (given: {folders})"
            )
        return found[0]


def _has_folder(name: str) -> bool:
    """``dir:Name`` or ``dir:path/X.sol:Name`` (OpenZeppelin's test for a folder prefix)."""
    parts = name.split(":")
    return (len(parts) == 2 and ".sol:" not in name) or (len(parts) == 3 and parts[1].endswith(".sol"))


def _matches(builds: CheckBuilds, name: str, folder: str) -> list[Ref]:
    prefix = f"{folder}:" if folder else ""
    if name in builds.owner:
        return [Ref(builds, name, prefix + name)]
    return [Ref(builds, fqn, prefix + fqn) for fqn in builds.named(name)]
