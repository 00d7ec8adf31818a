"""A build-info folder read as facts: from the cache where the files are unchanged, else
extracted, the files spread over the machine's cores.

Each file is read once to hash it; a file whose facts are cached is never decoded. The others
are decoded (``solc_ast.buildinfo``: only what the checker reads) and their facts extracted
in worker processes, one file at a time each, largest first, so memory stays at a few files'
ASTs whatever the folder's size; each worker writes its file's cache entry. With one file to
extract, or one core, it is done in this process.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from upgrader.check.builds import BuildFacts, CheckBuilds
from upgrader.check.cache import FactsCache, file_digest
from upgrader.check.facts import Facts
from upgrader.errors import InputError


@dataclass(frozen=True)
class _File:
    path: Path
    key: str
    size: int


def load_folder(folder: Path, cache: FactsCache | None = None) -> CheckBuilds:
    """Every ``*.json`` build-info under ``folder`` as facts; a stale build among them is an input error."""
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder; pass the build-info folder (Hardhat artifacts/build-info, Foundry out/build-info)")
    cache = cache or FactsCache.default()
    paths = [p for p in sorted(folder.rglob("*.json")) if not p.name.endswith(".output.json")]
    if not paths:
        raise InputError(f"no build-info files in {folder}; compile with build-info enabled first")
    files = _hashed(paths, cache)
    found: dict[Path, Facts] = {}
    for file in files:
        facts = cache.get(file.key)
        if facts is not None:
            found[file.path] = facts
    missing = [f for f in files if f.path not in found]
    found.update(_extract_all(missing, cache))
    builds = [_build(file.path, file.key, found[file.path], cache) for file in files]
    checked = CheckBuilds.of(builds, folder.resolve().name)
    checked.refuse_stale()
    return checked


def open_build(path: Path, data: bytes | None = None):  # type: ignore[no-untyped-def]
    """The ``BuildSet`` of one build-info file (decoded here)."""
    from upgrader.layout.buildset import BuildSet
    from upgrader.solc_ast.buildinfo import read_build_info

    build = BuildSet()
    build.add(read_build_info(path, data), path)
    return build


def _build(path: Path, key: str, facts: Facts, cache: FactsCache) -> BuildFacts:
    return BuildFacts(facts, path.name, lambda: open_build(path), path, on_change=lambda b: cache.put(key, b.facts))


def _hashed(paths: list[Path], cache: FactsCache) -> list[_File]:
    """Each file's cache key from its bytes, read through the input boundary in small pieces
    (no copy of a large file is held); several files at once, as reading and hashing release
    the GIL."""
    def one(path: Path) -> _File:
        digest, size = _digest(path)
        beside = path.with_suffix(".output.json")
        digests = [digest, _digest(beside)[0]] if beside.is_file() else [digest]  # Hardhat 3: the output beside
        return _File(path, cache.key(*digests), size)

    if len(paths) == 1 or _cores() == 1:
        return [one(p) for p in paths]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=_cores()) as pool:
        return list(pool.map(one, paths))


def _digest(path: Path) -> tuple[str, int]:
    import hashlib

    from upgrader.inputs.files import open_regular

    fd, _ = open_regular(path, "build-info")
    digest, size, buffer = hashlib.sha256(), 0, bytearray(1 << 20)
    view = memoryview(buffer)
    try:
        with os.fdopen(fd, "rb", buffering=0) as f:
            while count := f.readinto(buffer):
                digest.update(view[:count])
                size += count
    except OSError as exc:
        raise InputError(f"cannot read build-info {path}: {exc.strerror or exc}") from None
    return digest.hexdigest(), size


def _read(path: Path, cache: FactsCache) -> tuple[str, bytes]:
    """The file's bytes and the cache key of exactly those bytes."""
    from upgrader.inputs import read_regular

    data = read_regular(path, "build-info")
    digests = [file_digest(data)]
    beside = path.with_suffix(".output.json")
    if beside.is_file():
        digests.append(file_digest(read_regular(beside, "build-info")))
    return cache.key(*digests), data


def _extract_all(files: list[_File], cache: FactsCache) -> dict[Path, Facts]:
    if not files:
        return {}
    workers = min(len(files), _cores())
    if workers == 1:
        return {f.path: _extract(f.path, cache.root) for f in files}
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import upgrader.check.extract  # noqa: F401  imported once here, not again in each forked worker
    import upgrader.validate  # noqa: F401

    ordered = sorted(files, key=lambda f: -f.size)  # largest first: the last to finish is small
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = {f.path: pool.submit(_extract, f.path, cache.root) for f in ordered}
        # results in path order, so the first file in the folder that fails is the one reported
        return {f.path: futures[f.path].result() for f in files}


def _extract(path: Path, cache_root: Path | None) -> Facts:
    """The facts of one file, written to the cache under the key of the bytes decoded."""
    from upgrader.check.extract import extract

    from upgrader.solc_ast.index import forget

    cache = FactsCache(cache_root)
    with _collector_off():
        key, data = _read(path, cache)
        build = open_build(path, data)
        del data  # the bytes are not needed once decoded: a worker's peak is one file's ASTs, not also its text
        facts = extract(build)
        forget(build.builds[0].info)  # the index cache would keep the ASTs alive past this file
        del build
    cache.put(key, facts)
    return facts


@contextmanager
def _collector_off() -> Iterator[None]:
    """Python's cycle collector off while a build's ASTs are in memory. They are acyclic dicts,
    by the million, freed by reference counting; each collection still walks every one of them
    (decoding a 42 MB forge build-info took 1.1 s with the collector on, 0.17 s with it off)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)
