"""The long profile of the fuzz suite (tests/fuzz): many random examples per target instead
of the fixed, derandomized few that `make test` runs. Prints the number of examples per
target and exit code, and the slowest cases.

    .venv/bin/python benchmarks/fuzz_long.py [--examples 1000]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=1000, help="examples per target (4 targets)")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "timings.json"
        env = {**os.environ, "UPGRADER_FUZZ_EXAMPLES": str(opts.examples), "UPGRADER_FUZZ_REPORT": str(report)}
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "tests/fuzz/test_fuzz_files.py"], cwd=ROOT, env=env)
        wall = time.perf_counter() - t
        rows = json.loads(report.read_text()) if report.is_file() else []
    counts = collections.Counter((r["target"], r["exit"]) for r in rows)
    print(f"\n{len(rows)} fuzzed examples in {wall:.0f} s (pytest exit {proc.returncode})")
    for target in sorted({r['target'] for r in rows}):
        per_exit = ", ".join(f"exit {code}: {counts[(target, code)]}" for code in (0, 1, 2) if counts[(target, code)])
        print(f"  {target:<9} {per_exit}")
    kinds = collections.Counter(r["kind"] for r in rows)
    print("  mutations: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    print("slowest cases:")
    for r in sorted(rows, key=lambda r: -r["seconds"])[:5]:
        print(f"  {r['seconds']:6.2f} s  {r['target']:<9} {r['kind']:<10} at {'.'.join(r['path']) or '(whole file)'}"
              f"  ({r['bytes']} bytes, exit {r['exit']})")
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
