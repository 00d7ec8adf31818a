"""What a CI runner pays before its first verdict (issue 19): a fresh install of the lean package
(`upgrader check` and `layout`; no ape, web3 or chain stack) from this checkout, in a fresh venv
(pip; uv pip; uv sync from the lock, as the GitHub action's install step does),
beside `npm install @openzeppelin/upgrades-core` in a fresh folder. Wall time, size on disk of
what was created (the whole venv; node_modules) and the number of packages.

    .venv/bin/python benchmarks/bench_install.py [--runs N] [--cold]

By default every tool uses its usual download cache, as a CI runner with a restored cache does;
``--cold`` gives each run empty caches, so everything is downloaded (PyPI and the npm registry).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UV = ROOT / ".venv" / "bin" / "uv"
PYTHON = Path(sys.base_prefix) / "bin" / "python3"  # the interpreter the project venv was made from
OZ_VERSION = "1.46.0"


def size_of(path: Path) -> int:
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue
    return total


def timed(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout}{proc.stderr}")
    return time.perf_counter() - start


def packages_in(venv: Path) -> int:
    site = next((venv / "lib").glob("python3*/site-packages"))
    return len(list(site.glob("*.dist-info")))


def pip_install(scratch: Path, env: dict[str, str]) -> tuple[float, int, int]:
    venv = scratch / "venv"
    start = time.perf_counter()
    timed([str(PYTHON), "-m", "venv", str(venv)], env)
    timed([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", str(ROOT)], env)
    wall = time.perf_counter() - start
    check(venv)
    return wall, size_of(venv), packages_in(venv)


def uv_install(scratch: Path, env: dict[str, str]) -> tuple[float, int, int]:
    venv = scratch / "venv"
    start = time.perf_counter()
    timed([str(UV), "venv", "-q", "--python", str(PYTHON), str(venv)], env)
    timed([str(UV), "pip", "install", "-q", "--python", str(venv / "bin" / "python"), str(ROOT)], env)
    wall = time.perf_counter() - start
    check(venv)
    return wall, size_of(venv), packages_in(venv)


def action_install(scratch: Path, env: dict[str, str]) -> tuple[float, int, int]:
    """What the GitHub action's install step runs (tools/action/run.sh install): the lock's
    versions, no extra, no dev group, not editable, bytecode compiled."""
    venv = scratch / "venv"
    start = time.perf_counter()
    timed([str(UV), "sync", "--project", str(ROOT), "--frozen", "--no-dev", "--no-editable", "--compile-bytecode",
           "--quiet", "--python", str(PYTHON)], {**env, "UV_PROJECT_ENVIRONMENT": str(venv)})
    wall = time.perf_counter() - start
    check(venv)
    return wall, size_of(venv), packages_in(venv)


def npm_install(scratch: Path, env: dict[str, str]) -> tuple[float, int, int]:
    folder = scratch / "project"
    folder.mkdir()
    (folder / "package.json").write_text('{"name": "bench", "private": true}\n')
    wall = timed(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", f"@openzeppelin/upgrades-core@{OZ_VERSION}"], env, folder)
    modules = folder / "node_modules"
    count = len(list(modules.glob("*/package.json"))) + len(list(modules.glob("@*/*/package.json")))
    return wall, size_of(modules), count


def check(venv: Path) -> None:
    """The install works: `upgrader check --help` runs, and no chain-stack module is importable."""
    subprocess.run([str(venv / "bin" / "upgrader"), "check", "--help"], check=True, capture_output=True)
    code = "import importlib.util as u; import sys; sys.exit(any(u.find_spec(m) for m in ('ape', 'web3', 'eth_abi')))"
    if subprocess.run([str(venv / "bin" / "python"), "-c", code]).returncode != 0:
        raise SystemExit(f"{venv} holds the chain stack: not the lean install")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="empty download caches for every run")
    args = parser.parse_args()
    tools = {"pip install <checkout>": pip_install, "uv pip install <checkout>": uv_install,
             "uv sync --frozen (the action)": action_install, "npm install upgrades-core": npm_install}
    results: dict[str, list[tuple[float, int, int]]] = {name: [] for name in tools}
    for _ in range(args.runs):  # alternate, so all see the same machine and network
        for name, install in tools.items():
            with tempfile.TemporaryDirectory(prefix="bench-install-") as tmp:
                scratch = Path(tmp)
                env = {**os.environ}
                env.pop("VIRTUAL_ENV", None)
                if args.cold:
                    env.update(PIP_CACHE_DIR=str(scratch / "pip-cache"), UV_CACHE_DIR=str(scratch / "uv-cache"),
                               npm_config_cache=str(scratch / "npm-cache"))
                results[name].append(install(scratch, env))
    caches = "empty caches" if args.cold else "warm download caches"
    print(f"fresh install, median of {args.runs} runs ({caches}); size = the venv / node_modules created")
    npm_wall = statistics.median(r[0] for r in results["npm install upgrades-core"])
    for name, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        size = statistics.median(r[1] for r in runs)
        ratio = "" if name.startswith("npm") else f"  {wall / npm_wall:.2f}x npm's time"
        print(f"  {name:28s} {wall:6.1f} s  {size / 1e6:6.1f} MB  {runs[0][2]:3d} packages{ratio}")


if __name__ == "__main__":
    main()
