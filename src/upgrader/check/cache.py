"""The content-addressed cache of build-info facts (``check.facts``).

An entry is keyed by the SHA-256 of the build-info file's bytes (and of its ``.output.json``
beside it, for Hardhat 3) together with a digest of the checker's own code, so an unchanged
build is never decoded again while a changed file, or another version of upgrader, misses.

Where: ``$UPGRADER_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/upgrader/check-cache``, else
``~/.cache/upgrader/check-cache`` (a folder CI can restore like any cache); ``UPGRADER_NO_CACHE=1``
turns it off. Entries are written to a temporary file and renamed into place, so concurrent
runs only ever see whole entries; an entry that does not read back as the facts of its key
(torn, edited, from another schema) is ignored and written again. The cache is an
optimisation: a folder that cannot be written is simply not used.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from upgrader.check.facts import SCHEMA

# the code that decides what a build's facts are: a change to any of it is another cache
CODE = ("solc_ast", "layout", "validate", "check/extract.py", "check/facts.py", "findings.py")
MAX_ENTRIES = 2000  # beyond this, the entries read longest ago are removed when one is written
# Entries are read with msgspec only when there are this many bytes of them: its import (~10 ms,
# a seventh of a warm one-file run) costs more than its faster decode saves below that (json.loads:
# +0.7 ms on the 64-contract bench row's 0.26 MB entry, +22 ms on the 3,200-contract row's 13 MB)
MSGSPEC_FROM = 4 << 20


@dataclass(frozen=True)
class FactsCache:
    root: Path | None  # None: no cache

    @classmethod
    def default(cls) -> FactsCache:
        if os.environ.get("UPGRADER_NO_CACHE", "") not in ("", "0"):
            return cls(None)
        where = os.environ.get("UPGRADER_CACHE_DIR")
        if where:
            return cls(Path(where))
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        return cls(Path(base) / "upgrader" / "check-cache")

    def key(self, *file_digests: str) -> str:
        return hashlib.sha256("\n".join((SCHEMA, code_digest(), *file_digests)).encode()).hexdigest()

    def _path(self, key: str) -> Path:
        assert self.root is not None
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        return self.get_all([key]).get(key)

    def get_all(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The facts of each key that has a whole entry."""
        if self.root is None:
            return {}
        read: dict[str, bytes] = {}
        for key in keys:
            try:
                read[key] = self._path(key).read_bytes()
            except OSError:
                continue
        if sum(map(len, read.values())) >= MSGSPEC_FROM:
            import msgspec  # ~4x json's speed on a 3,200-contract build's entries

            decode: Any = msgspec.json.decode
            errors: tuple[type[Exception], ...] = (ValueError, RecursionError, msgspec.DecodeError)
        else:
            import json

            decode, errors = json.loads, (ValueError, RecursionError)
        found = {}
        for key, data in read.items():
            try:
                entry = decode(data)
            except errors:
                continue
            if not isinstance(entry, dict) or entry.get("key") != key or not _well_formed(entry.get("facts")):
                continue
            try:
                os.utime(self._path(key))  # read: kept by the pruning below
            except OSError:
                pass
            found[key] = entry["facts"]
        return found

    def put(self, key: str, facts: dict[str, Any]) -> None:
        if self.root is None:
            return
        import msgspec

        path = self._path(key)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(msgspec.json.encode({"key": key, "facts": facts}))
            os.replace(tmp, path)
        except OSError:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
            return
        self._prune()

    def _prune(self) -> None:
        assert self.root is not None
        try:
            entries = [p for p in self.root.glob("*/*.json")]
            if len(entries) <= MAX_ENTRIES:
                return
            entries.sort(key=lambda p: p.stat().st_mtime)
            for old in entries[: len(entries) - MAX_ENTRIES]:
                old.unlink(missing_ok=True)
        except OSError:
            return


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the checker's source files (the installed version when they are absent)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for part in CODE:
        target = root / part
        files = sorted(target.rglob("*.py")) if target.is_dir() else [target]
        for file in files:
            try:
                digest.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes())
            except OSError:
                from importlib.metadata import version

                return f"upgrader {version('upgrader')}"
    return digest.hexdigest()


_SUMMARY = frozenset({"kind", "abstract", "annotation", "looks_upgradeable", "upgrade_function", "ns_duplicates"})


def _well_formed(facts: Any) -> bool:
    """The shape the check reads without looking inside a layout or a finding (those are
    checked when read: ``check.builds``)."""
    return (
        isinstance(facts, dict)
        and facts.get("schema") == SCHEMA
        and isinstance(facts.get("contracts"), dict)
        and isinstance(facts.get("units"), dict)
        and isinstance(facts.get("outside"), list)
        and "layouts" in facts
        and all(isinstance(entry, dict) and _SUMMARY <= entry.keys() for entry in facts["contracts"].values())
    )
