"""Locate the pinned solc executable and run it in standard-JSON mode.

The executable is whatever py-solc-x would use (``$SOLCX_BINARY_PATH`` or ``~/.solcx``,
file ``solc-v<version>``): a native solc, or the solc-js front end that
``tools/solc/install.sh`` provisions. ``UPGRADER_SOLC`` overrides the path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from upgrader.errors import InputError


def solc_path(version: str) -> Path:
    if override := os.environ.get("UPGRADER_SOLC"):
        return Path(override)
    folder = Path(os.environ.get("SOLCX_BINARY_PATH") or Path.home() / ".solcx")
    candidate = folder / f"solc-v{version}"
    if candidate.exists():
        return candidate
    on_path = shutil.which("solc")
    if on_path and f"Version: {version}" in _run([on_path, "--version"], b"").decode():
        return Path(on_path)
    raise InputError(
        f"solc {version} not found at {candidate}; run `make install` (or set UPGRADER_SOLC)"
    )


def long_version(version: str) -> str:
    out = _run([str(solc_path(version)), "--version"], b"").decode()
    for line in out.splitlines():
        if line.startswith("Version: "):
            return line.removeprefix("Version: ").strip()
    raise InputError(f"{solc_path(version)} did not report a version; reinstall it with `make install`")


def compile_standard(version: str, standard_input: dict[str, Any], base_path: Path | None = None) -> dict[str, Any]:
    """Run ``solc --standard-json``; raise InputError with solc's own message on errors."""
    cmd = [str(solc_path(version)), "--standard-json"]
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
