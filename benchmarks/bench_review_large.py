"""`upgrader review` of a 40,000-call MultiSend (a raw SafeTx file, ~12 MB), as whole
processes run outside the project (only the file decides): `--json`, the human view (summary
and the first calls), and the human view with `--all`. Target: each under 5 s wall on this
2-core machine. Prints wall and CPU seconds per run (best of --repeat).

    .venv/bin/python benchmarks/bench_review_large.py [--calls 40000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UPGRADER = str(ROOT / ".venv" / "bin" / "upgrader")
SAFE = "0xBbA193834C351eEC02433A3A724aF2f3246F44Ac"
MSCO = "0x9641d764fc13c8B624c04430C7356C1C7C8102e2"


def write_batch(path: Path, n: int) -> None:
    from upgrader.safe.multisend import Batch, Call

    calls = [Call("0x%040x" % (0x1000 + i), bytes.fromhex("a9059cbb") + i.to_bytes(32, "big") * 2, i % 3)
             for i in range(n)]  # every target distinct: no cache helps the checksums
    tx = Batch(calls).to_safe_tx(MSCO, 5)
    path.write_text(json.dumps({**tx.to_json(), "safe": SAFE, "chainId": "1"}))


def timed(args: list[str], cwd: str) -> tuple[float, float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run([UPGRADER, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env={**os.environ, "UPGRADER_PROJECT": cwd, "COLUMNS": "120"})
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"upgrader {' '.join(args)} exited {proc.returncode}: {proc.stderr.decode()[-400:]}")
    return wall, cpu, len(proc.stdout.splitlines())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=40_000)
    parser.add_argument("--repeat", type=int, default=3)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batch.json"
        write_batch(path, opts.calls)
        print(f"{opts.calls} calls, {path.stat().st_size / 1e6:.1f} MB raw SafeTx file (upgrader review, whole process)")
        for label, extra in (("--json", ["--json"]), ("human", []), ("human --all", ["--all"])):
            runs = [timed(["review", str(path), "--offline", *extra], tmp) for _ in range(opts.repeat)]
            wall, cpu, lines = min(runs)
            print(f"  {label:<12} {wall:6.2f} s wall  {cpu:6.2f} s CPU  {lines:>7} lines of output")


if __name__ == "__main__":
    main()
