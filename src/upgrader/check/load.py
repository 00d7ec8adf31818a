"""A build-info folder read as facts: from the cache where the files are unchanged, else
extracted, the files spread over the machine's cores.

Each file is one task, in a worker process (fork), largest first: its bytes are hashed in
small pieces (no copy of a large file is held) into its cache key; a file whose facts are
cached is never decoded; the others are read whole, decoded (``solc_ast.buildinfo``: only
what the checker reads) and their facts extracted and written to the cache. A worker holds
one file's ASTs at a time whatever the folder's size. With one file, or one core, it is all
done in this process.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from upgrader.check.builds import BuildFacts, CheckBuilds
from upgrader.check.cache import FactsCache, code_digest, file_digest
from upgrader.check.facts import Facts
from upgrader.errors import InputError


def load_folder(folder: Path, cache: FactsCache | None = None) -> CheckBuilds:
    """Every ``*.json`` build-info under ``folder`` as facts; a stale build among them is an input error."""
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder; pass the build-info folder (Hardhat artifacts/build-info, Foundry out/build-info)")
    cache = cache or FactsCache.default()
    paths = [p for p in sorted(folder.rglob("*.json")) if not p.name.endswith(".output.json")]
    if not paths:
        raise InputError(f"no build-info files in {folder}; compile with build-info enabled first")
    found = _facts_all(paths, cache)
    builds = [_build(path, *found[path], cache) for path in paths]
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


def _facts_all(paths: list[Path], cache: FactsCache) -> dict[Path, tuple[str, Facts]]:
    """Each file's (cache key, facts)."""
    workers = min(len(paths), _cores())
    if workers == 1:
        return {path: _facts(path, cache.root, keep=len(paths) == 1) for path in paths}
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    code_digest()  # computed once here, not again in each forked worker
    ordered = sorted(paths, key=_size, reverse=True)  # largest first: the last to finish is small
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = {path: pool.submit(_facts, path, cache.root) for path in ordered}
        # results in path order, so the first file in the folder that fails is the one reported
        return {path: futures[path].result() for path in paths}


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _facts(path: Path, cache_root: Path | None, keep: bool = False) -> tuple[str, Facts]:
    """The file's cache key and facts: from the cache, or extracted and written to it
    (``keep``: the one build of this process, not freed; see ``_extract``)."""
    cache = FactsCache(cache_root)
    files = [path] + [beside for beside in [path.with_suffix(".output.json")] if beside.is_file()]  # Hardhat 3
    hashed = [_digest(file) for file in files]
    key = cache.key(*(digest for digest, _ in hashed))
    facts = cache.get(key)
    if facts is not None:
        return key, facts
    from upgrader.inputs import read_regular

    data = read_regular(path, "build-info")
    if [_stat(file) for file in files] != [stat for _, stat in hashed] or None in [stat for _, stat in hashed]:
        # written to since it was hashed: the key is that of the bytes read now
        key = cache.key(file_digest(data), *(file_digest(read_regular(file, "build-info")) for file in files[1:]))
    return key, _extract(path, data, key, cache, keep)


def _digest(path: Path) -> tuple[str, tuple[int, ...] | None]:
    """The SHA-256 of the file, read through the input boundary in small pieces, and its
    identity (inode, size, modification and change times) if it did not change meanwhile."""
    import hashlib

    from upgrader.inputs.files import open_regular

    fd, _ = open_regular(path, "build-info")
    digest, buffer = hashlib.sha256(), bytearray(1 << 20)
    view = memoryview(buffer)
    try:
        with os.fdopen(fd, "rb", buffering=0) as f:
            before = _identity(os.fstat(f.fileno()))
            while count := f.readinto(buffer):
                digest.update(view[:count])
            after = _identity(os.fstat(f.fileno()))
    except OSError as exc:
        raise InputError(f"cannot read build-info {path}: {exc.strerror or exc}") from None
    return digest.hexdigest(), before if before == after else None


def _stat(path: Path) -> tuple[int, ...] | None:
    try:
        return _identity(os.stat(path))
    except OSError:
        return None


def _identity(stat: os.stat_result) -> tuple[int, ...]:
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def _extract(path: Path, data: bytes, key: str, cache: FactsCache, keep: bool = False) -> Facts:
    """The facts of one file's bytes, written to the cache under ``key``. ``keep``: the build
    is left in memory (the last one kept, at most) rather than freed object by object, 5% of a
    one-file run (the command leaves without tearing the interpreter down)."""
    from upgrader.check.extract import extract
    from upgrader.solc_ast.index import forget

    with collector_off():
        build = open_build(path, data)
        del data  # the bytes are not needed once decoded: a worker's peak is one file's ASTs, not also its text
        facts = extract(build)
        forget(build.builds[0].info)  # the index cache would keep the ASTs alive past this file
        _kept[:] = [build] if keep else []
        del build
    cache.put(key, facts)
    return facts


_kept: list[object] = []


@contextmanager
def collector_off() -> Iterator[None]:
    """Python's cycle collector off while a build's ASTs, or a folder's facts, are in memory.
    They are acyclic dicts and lists, by the million, freed by reference counting; each
    collection still walks every one of them (decoding a 42 MB forge build-info took 1.1 s with
    the collector on, 0.17 s with it off; the engine's 3,200 contracts 0.66 s and 0.38 s)."""
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
