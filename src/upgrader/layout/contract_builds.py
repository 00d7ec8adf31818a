"""Which build compiled a contract: the one rule ``layout.buildset.BuildSet`` (builds in memory)
and ``check.builds.CheckBuilds`` (their extracted facts) share. Kept apart from ``buildset`` so
the check's cached path reads facts without importing the AST index."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from upgrader.layout.model import StorageLayout

B = TypeVar("B")


@dataclass
class ContractBuilds(Generic[B]):
    """Builds, and for each contract (by fully qualified name) the first build that compiled it;
    a contract's layout is read once. A ``BuildSet`` holds builds in memory, the check's
    ``CheckBuilds`` their extracted facts."""

    builds: list[B] = field(default_factory=list)
    owner: dict[str, B] = field(default_factory=dict)  # fqn -> the build that compiled it
    dir_name: str = ""  # the folder's short name, for `<dir>:<Contract>` references
    _layouts: dict[str, StorageLayout] = field(default_factory=dict)

    def hold(self, build: B, contracts: Iterable[str]) -> None:
        self.builds.append(build)
        for fqn in contracts:
            self.owner.setdefault(fqn, build)  # the first build that compiled it

    def layout(self, fqn: str) -> StorageLayout:
        if fqn not in self._layouts:
            self._layouts[fqn] = self._read_layout(fqn)
        return self._layouts[fqn]

    def _read_layout(self, fqn: str) -> StorageLayout:
        raise NotImplementedError
