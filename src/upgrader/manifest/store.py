"""Reading and writing the manifest: atomic replace, an exclusive lock for writers, and a
content hash that plans pin themselves to."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from upgrader.keccak import keccak
from pydantic import ValidationError

from upgrader.errors import FileAccessError, InputError
from upgrader.oserrors import describe, is_ours
from upgrader.manifest.model import Manifest


_HELD = threading.local()  # the lock files this thread holds (ManifestStore.locked)


def canonical_json(data: Any) -> str:
    """Sorted keys, compact separators, no floats: the form that hashes are taken of."""
    _reject_floats(data)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _reject_floats(data: Any) -> None:
    if isinstance(data, float):
        raise ValueError("floats are not allowed in canonical JSON")
    if isinstance(data, dict):
        for v in data.values():
            _reject_floats(v)
    elif isinstance(data, list):
        for v in data:
            _reject_floats(v)


def manifest_hash(manifest: Manifest) -> str:
    return "0x" + keccak(canonical_json(manifest.to_json()).encode()).hex()


def atomic_write(path: Path, text: str) -> None:
    """Write to a temp file in the same folder, fsync, then rename over the target."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        if is_ours(exc):
            raise FileAccessError(describe(exc, path)) from exc
        raise
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if is_ours(exc):  # full disk, read-only, immutable...: one line with the path and the fix
            raise FileAccessError(describe(exc, path)) from exc
        raise


def restore_hint(path: Path) -> str:
    """How to get a broken file back: from git when git tracks it, otherwise not from git."""
    import subprocess

    try:
        tracked = subprocess.run(["git", "ls-files", "--error-unmatch", path.name], cwd=path.parent,
                                 capture_output=True, timeout=5).returncode == 0
    except (OSError, subprocess.SubprocessError):
        tracked = False
    if tracked:
        return f"restore it from git (git checkout -- {path})"
    return ("git does not track it: restore it from your backup, or for the local chain "
            "run `make reset` and deploy again (`make demo`)")


class ManifestStore:
    def __init__(self, deployments: Path, network: str) -> None:
        self.folder = deployments / network
        self.path = self.folder / "manifest.json"
        self.network = network

    def exists(self) -> bool:
        return self.path.is_file()

    def missing_hint(self) -> str:
        """What to do without a manifest: a deployed system is recorded with `upgrader import`
        (a Hardhat or Foundry team's own deploy); only upgrader's local chain has `make demo`."""
        adopt = f"record the deployed system with `upgrader import --network {self.network}`"
        if self.network == "local":
            return f"no manifest at {self.path}; deploy first (`make demo`), or {adopt}"
        return f"no manifest at {self.path}; {adopt}"

    def load(self, chain_id: int | None = None) -> Manifest:
        from upgrader.inputs import read_json

        try:
            data = read_json(self.path, "manifest", missing=self.missing_hint())
        except InputError as exc:
            if not self.path.is_file():  # missing, a FIFO, a directory: the message says it all
                raise
            raise InputError(f"{exc}: the manifest is corrupt; {restore_hint(self.path)}") from None
        try:
            # strict: a number is a JSON number ("5" or "1_000" is not), see upgrader.inputs
            manifest = Manifest.model_validate(data, strict=True, context={"file": True})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            message = first["msg"].removeprefix("Value error, ")
            raise InputError(f"manifest {self.path} is invalid{f' at {where}' if where else ''}: {message}") from None
        if chain_id is not None and manifest.chain_id != chain_id:
            raise InputError(
                f"manifest {self.path} is for chain {manifest.chain_id} but the node is chain {chain_id}; use the right --network"
            )
        return manifest

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """An exclusive lock held by writers for the whole read-modify-write of anything recorded
        under the network's folder (manifest, execution records, watch cursor): decide inside it on
        what is read inside it. Re-entrant in one thread (an flock taken twice by one process
        through two opens would wait for itself); other threads and processes wait."""
        key = str((self.folder / ".manifest.lock").resolve())
        held = _HELD.__dict__.setdefault("paths", set())
        if key in held:
            yield
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(key, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            held.add(key)
            try:
                yield
            finally:
                held.discard(key)
                fcntl.flock(lock, fcntl.LOCK_UN)

    def save(self, manifest: Manifest) -> None:
        atomic_write(self.path, json.dumps(manifest.to_json(), indent=2, sort_keys=True) + "\n")

    def create(self, manifest: Manifest, replace: bool = False) -> None:
        """Write a new manifest (``import``), deciding under the lock: one that appeared meanwhile
        (another import) is kept unless ``replace``."""
        with self.locked():
            if self.exists() and not replace:
                raise InputError(f"{self.path} appeared while importing; re-run with --force to replace it")
            self.save(manifest)

    def update(self, change: Callable[[Manifest], Manifest], chain_id: int | None = None) -> Manifest:
        with self.locked():
            new = change(self.load(chain_id))
            self.save(new)
            return new
