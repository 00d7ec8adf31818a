"""Figures for this machine: `upgrader --help` vs `ape --help` start-up, examples per second
of the stateful test, and (with --full) the wall time of `make test`.

    .venv/bin/python benchmarks/bench_foundation.py [--full]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"


def wall(cmd: list[str], runs: int = 1, **kw) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False, **kw)
        out.append(time.perf_counter() - t)
    return out


def startup() -> None:
    ours, ape = [], []
    for _ in range(5):  # alternate so both see the same machine state
        ours += wall([str(BIN / "upgrader"), "--help"])
        ape += wall([str(BIN / "ape"), "--help"])
    mo, ma = statistics.median(ours), statistics.median(ape)
    print(f"upgrader --help  median {mo * 1000:7.0f} ms  (5 runs)")
    print(f"ape --help       median {ma * 1000:7.0f} ms  (5 runs)")
    print(f"start-up ratio   {ma / mo:.1f}x faster (target >= 4x)")


def stateful() -> None:
    """The state machine reports its own counts as junit properties (it prints nothing)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "stateful.xml"
        t = time.perf_counter()
        proc = subprocess.run(
            [str(BIN / "python"), "-m", "pytest", "-q", "tests/stateful", f"--junitxml={report}"],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )
        elapsed = time.perf_counter() - t
        props = {p.get("name"): p.get("value") for p in ET.parse(report).iter("property")} if report.exists() else {}
    if proc.returncode != 0 or "examples" not in props:
        print(f"stateful tests   failed (exit {proc.returncode}); see `pytest tests/stateful`")
        return
    examples, per_example = int(props["examples"]), int(props["steps"]) / max(1, int(props["examples"]))
    print(f"stateful tests   {examples} examples, {props['steps']} steps ({per_example:.1f} per example), "
          f"{props['upgrades']} upgrades: {props['examples_per_second']} examples/s inside the machine (target >= 20), "
          f"{elapsed:.1f} s wall for the process (incl. Anvil start + compile cache)")
    if "cpu_seconds" in props:  # on a loaded machine wall time measures the neighbours; CPU time does not
        cpu = float(props["cpu_seconds"]) + float(props["anvil_cpu_seconds"])
        print(f"                 CPU inside the machine: {props['cpu_seconds']} s Python + {props['anvil_cpu_seconds']} s Anvil"
              f" = {examples / cpu:.1f} examples per CPU second (Python and Anvil take turns: about the rate on an idle machine)")


def make_test() -> None:
    t = time.perf_counter()
    proc = subprocess.run(["make", "test"], cwd=ROOT, capture_output=True, text=True, check=False)
    tail = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    print(f"make test        {time.perf_counter() - t:.1f} s wall, exit {proc.returncode}: {tail}")


if __name__ == "__main__":
    startup()
    stateful()
    if "--full" in sys.argv:
        make_test()
