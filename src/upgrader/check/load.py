"""A build-info folder read as facts: from the cache where the files are unchanged, else
extracted, the files spread over the machine's cores.

Each file is hashed in small pieces (no copy of a large file is held), several at once in
threads, into its cache key; a file whose facts are cached is never decoded. The others are
read whole, decoded (``solc_ast.buildinfo``: only what the checker reads) and their facts
extracted and written to the cache, in worker processes (fork), one file at a time each,
largest first, so memory stays at a few files' ASTs whatever the folder's size; a worker keys
the bytes it reads by the hash taken here when the file is still the one hashed (device,
inode, size, modification and change times), and hashes them again otherwise. With one file
to extract, or one core, it is done in this process.
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
    identity: tuple[tuple[int, ...] | None, ...]  # of the file and of the output beside it, while hashed


def load_folder(folder: Path, cache: FactsCache | None = None) -> CheckBuilds:
    """Every ``*.json`` build-info under ``folder`` as facts; a stale build among them is an input error."""
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder; pass the build-info folder (Hardhat artifacts/build-info, Foundry out/build-info)")
    cache = cache or FactsCache.default()
    paths = [p for p in sorted(folder.rglob("*.json")) if not p.name.endswith(".output.json")]
    if not paths:
        raise InputError(f"no build-info files in {folder}; compile with build-info enabled first")
    files = _hashed(paths, cache)
    cached = cache.get_all([file.key for file in files])
    found: dict[Path, tuple[str, Facts]] = {f.path: (f.key, cached[f.key]) for f in files if f.key in cached}
    missing = [f for f in files if f.path not in found]
    found.update(_extract_all(missing, cache, keep=len(files) == 1))
    builds = [_build(file.path, *found[file.path], cache) for file in files]
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


def _beside(path: Path) -> list[Path]:
    """The file and, for Hardhat 3, its ``<id>.output.json``."""
    beside = path.with_suffix(".output.json")
    return [path, beside] if beside.is_file() else [path]


def _hashed(paths: list[Path], cache: FactsCache) -> list[_File]:
    """Each file's cache key from its bytes; several files at once, as reading and hashing
    release the GIL."""
    def one(path: Path) -> _File:
        hashed = [_digest(file) for file in _beside(path)]
        return _File(path, cache.key(*(d for d, _, _ in hashed)), hashed[0][1], tuple(i for _, _, i in hashed))

    if len(paths) == 1 or _cores() == 1:
        return [one(p) for p in paths]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=_cores()) as pool:
        return list(pool.map(one, paths))


def _extract_all(files: list[_File], cache: FactsCache, keep: bool) -> dict[Path, tuple[str, Facts]]:
    """Each file's (cache key, facts), extracted (``keep``: see ``_extract``)."""
    if not files:
        return {}
    workers = min(len(files), _cores())
    if workers == 1:
        return {f.path: _extract_file(f, cache.root, keep) for f in files}
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import upgrader.check.extract  # noqa: F401  imported once here, not again in each forked worker
    import upgrader.validate  # noqa: F401

    ordered = sorted(files, key=lambda f: -f.size)  # largest first: the last to finish is small
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = {f.path: pool.submit(_extract_file, f, cache.root) for f in ordered}
        # results in path order, so the first file in the folder that fails is the one reported
        return {f.path: futures[f.path].result() for f in files}


def _extract_file(file: _File, cache_root: Path | None, keep: bool = False) -> tuple[str, Facts]:
    """The cache key of the bytes read and their facts, written to the cache."""
    from upgrader.inputs import read_regular

    cache = FactsCache(cache_root)
    data = read_regular(file.path, "build-info")
    key = file.key
    files = _beside(file.path)
    if None in file.identity or tuple(_stat(f) for f in files) != file.identity:
        # written to since it was hashed: the key is that of the bytes read now
        key = cache.key(file_digest(data), *(file_digest(read_regular(f, "build-info")) for f in files[1:]))
    return key, _extract(file.path, data, key, cache, keep)


def _digest(path: Path) -> tuple[str, int, tuple[int, ...] | None]:
    """The SHA-256 of the file, read through the input boundary in small pieces, its size, and
    its identity (device, inode, size, modification and change times) if it did not change meanwhile."""
    import hashlib

    from upgrader.inputs.files import open_regular

    fd, _ = open_regular(path, "build-info")
    digest, size, buffer = hashlib.sha256(), 0, bytearray(1 << 20)
    view = memoryview(buffer)
    try:
        with os.fdopen(fd, "rb", buffering=0) as f:
            before = _identity(os.fstat(f.fileno()))
            while count := f.readinto(buffer):
                digest.update(view[:count])
                size += count
            after = _identity(os.fstat(f.fileno()))
    except OSError as exc:
        raise InputError(f"cannot read build-info {path}: {exc.strerror or exc}") from None
    return digest.hexdigest(), size, before if before == after else None


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
