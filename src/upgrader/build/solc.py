"""Locate (installing on demand) the solc of a version and run it in standard-JSON mode.

A native solc where py-solc-x keeps compilers (``$SOLCX_BINARY_PATH`` or ``~/.solcx``, file
``solc-v<version>``) is used when there is one. Otherwise the solc-js front end that
``tools/solc/install.sh`` provisions from npm ``solc@<version>`` into
``solcjs-v<version>-<stamp>/`` (``<stamp>``: the front end's content, so checkouts with
different front ends never replace each other's) and also names ``solc-v<version>`` for
py-solc-x. The first use of a version needs the npm registry; every later one is offline.
``UPGRADER_SOLC`` overrides the path.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

from upgrader.errors import InputError

INSTALLER = Path(__file__).resolve().parents[3] / "tools" / "solc" / "install.sh"
_RELEASE = re.compile(r"^0\.\d+\.\d+$")


def cache_dir() -> Path:
    return Path(os.environ.get("SOLCX_BINARY_PATH") or Path.home() / ".solcx")


def solc_path(version: str, compiler: str | None = None) -> Path:
    """A native ``solc-v<version>`` if there is one, else this checkout's front end for that
    version (installed on demand), else a native ``solc`` of that version on PATH."""
    if compiler:
        return _explicit(compiler)
    if override := os.environ.get("UPGRADER_SOLC"):
        return Path(override)
    candidate = cache_dir() / f"solc-v{version}"
    if candidate.exists() and not _is_front_end(candidate):
        return candidate
    front_end = _front_end(version)
    if front_end is None:  # no tools/solc beside this package: whatever py-solc-x would run
        if candidate.exists():
            return candidate
    elif front_end.exists():
        return front_end
    on_path = shutil.which("solc")
    if on_path and f"Version: {version}" in _run([on_path, "--version"], b"").decode():
        return Path(on_path)
    install(version)
    return front_end or candidate


def _front_end(version: str) -> Path | None:
    """``solcjs-v<version>-<stamp>/solc``: the copy of this checkout's front end (install.sh)."""
    source = INSTALLER.parent / "solc.js"
    if not source.is_file():
        return None
    stamp = _stamp(str(source), source.stat().st_mtime_ns)
    return cache_dir() / f"solcjs-v{version}-{stamp}" / "solc"


@cache
def _stamp(path: str, _mtime: int) -> str:
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def _is_front_end(path: Path) -> bool:
    return b"solc-js front end" in _head(path)


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(512)
    except OSError:
        return b""


def _explicit(compiler: str) -> Path:
    path = Path(compiler).expanduser()
    if not path.is_file():
        raise InputError(f"the project's solc {compiler} does not exist; fix the path or give a version such as 0.8.28")
    return path


def install(version: str) -> None:
    """Provision the solc-js front end for ``version`` (npm ``solc@<version>``)."""
    if not _RELEASE.match(version) or not version.startswith("0.8."):
        raise InputError(f"solc {version!r}: upgrader supports solc 0.8.x releases (e.g. 0.8.28)")
    if not INSTALLER.is_file():
        raise InputError(f"solc {version} is not installed at {cache_dir()} and {INSTALLER} is missing; install it")
    proc = subprocess.run([str(INSTALLER), version], capture_output=True, text=True)
    if proc.returncode != 0 or not (cache_dir() / f"solc-v{version}").exists():
        detail = (proc.stderr.strip() or proc.stdout.strip() or "no output").splitlines()[-1]
        raise InputError(f"cannot install solc {version} from npm: {detail}; check network access to the npm registry")


def installed_versions() -> list[str]:
    folder = cache_dir()
    if not folder.is_dir():
        return []
    return sorted(p.name.removeprefix("solc-v") for p in folder.glob("solc-v*") if _RELEASE.match(p.name.removeprefix("solc-v")))


def released_versions() -> list[str]:
    """npm ``solc`` releases (asked once, then kept in the cache folder)."""
    listing = cache_dir() / "solcjs-releases.json"
    if listing.is_file():
        return list(json.loads(listing.read_text()))
    proc = subprocess.run(["npm", "view", "solc", "versions", "--json"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise InputError("cannot list solc releases from npm; pin the project's solc version")
    found = [v for v in json.loads(proc.stdout) if _RELEASE.match(v)]
    listing.parent.mkdir(parents=True, exist_ok=True)
    tmp = listing.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(found))
    os.replace(tmp, listing)
    return found


def long_version(version: str, compiler: str | None = None) -> str:
    """``0.8.28+commit.7893614a`` as the compiler reports it (the front end's install records it)."""
    path = solc_path(version, compiler)
    recorded = path.parent / "long-version"
    if path.name != "solc" or not recorded.is_file():  # a py-solc-x wrapper names its copy
        copy = re.search(rb'exec node "([^"]+)/solc\.js"', _head(path)) if _is_front_end(path) else None
        recorded = Path(copy.group(1).decode()) / "long-version" if copy else recorded
    if recorded.is_file():
        return recorded.read_text().strip()
    return _reported_version(str(path), path.stat().st_mtime_ns)


@cache
def _reported_version(path: str, _mtime: int) -> str:
    out = _run([path, "--version"], b"").decode()
    for line in out.splitlines():
        if line.startswith("Version: "):
            return line.removeprefix("Version: ").strip().removesuffix(".Linux.g++")
    raise InputError(f"{path} did not report a version; reinstall it with `make install`")


def compile_standard(version: str, standard_input: dict[str, Any], base_path: Path | None = None, compiler: str | None = None) -> dict[str, Any]:
    """Run ``solc --standard-json``; raise InputError with solc's own message on errors."""
    cmd = [str(solc_path(version, compiler)), "--standard-json"]
    if base_path is not None:
        cmd += ["--base-path", str(base_path)]
    raw = _run(cmd, json.dumps(standard_input).encode())
    output = json.loads(raw)
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        first = errors[0].get("formattedMessage") or errors[0].get("message", "")
        raise InputError(f"solc failed: {first.strip().splitlines()[0]} (and {len(errors) - 1} more)" if len(errors) > 1 else f"solc failed: {first.strip()}")
    return output


def _run(cmd: list[str], stdin: bytes) -> bytes:
    try:
        proc = subprocess.run(cmd, input=stdin, capture_output=True, check=False)
    except OSError as exc:
        raise InputError(f"cannot run {cmd[0]}: {exc}; run `make install`") from exc
    if proc.returncode != 0:
        raise InputError(f"{cmd[0]} failed: {proc.stderr.decode(errors='replace').strip()[:300]}")
    return proc.stdout
