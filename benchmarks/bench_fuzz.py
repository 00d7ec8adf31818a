"""`upgrader fuzz` throughput on the demo system (V1 deployed under a 2-of-3 Safe with the demo's
sample activity, the plan to the real V2s), with the differential check on: each call runs on
both forks and is compared, the V1 views are read across the upgrade, the final views on both
forks. A "call" is one drawn call run on both forks (the upgrade's own transactions and the view
probes are not counted).

Rows, each `upgrader fuzz --network local --seed 1 --json` as a fresh process (start-up, plan,
Anvil fork, pool seeding, search):
- pyrevm, the command's default examples (1000): the headline, target >= 300 calls/s whole
  process on this 2-core machine;
- the peer, side by side on the same sequences: the reference engine (the same runner on two
  Anvil forks over plain JSON-RPC: eth_sendTransaction, debug_traceTransaction, eth_call,
  evm_snapshot/evm_revert) and pyrevm, both for --anvil-examples examples of seed 1, so the
  same calls (equal call counts say so).
Forge's invariant runner is not the peer: it needs a handler contract written per system,
which is what `upgrader fuzz` spares a team.
CPU seconds are the process's and its children's (Anvil included), since wall time on a shared
machine also measures the neighbours; the load average is printed before and after.

    .venv/bin/python benchmarks/bench_fuzz.py [--examples 1000] [--anvil-examples 200] [--profile 25]

``--profile N`` runs the headline under cProfile and prints its N costliest functions (own time).
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UPGRADER = ROOT / ".venv" / "bin" / "upgrader"
TARGET_CALLS_PER_S = 300


def demo_project(tmp: Path) -> tuple[Path, Path]:
    """A copy of this project (contracts, settings; node_modules and the compile cache shared)."""
    root = tmp / "project"
    root.mkdir()
    shutil.copytree(ROOT / "contracts", root / "contracts")
    shutil.copy(ROOT / "ape-config.yaml", root / "ape-config.yaml")
    (root / "node_modules").symlink_to(ROOT / "node_modules")
    cache = ROOT / ".build" / "bench_fuzz"
    cache.mkdir(parents=True, exist_ok=True)
    (root / ".build").symlink_to(cache)
    return root, tmp / "deployments"


def deploy_demo(root: Path, deployments: Path, url: str) -> None:
    from upgrader import config as cfg
    from upgrader.build.project import project_build_info
    from upgrader.chain.rpc import connect
    from upgrader.deploy.seed import seed_demo_data
    from upgrader.deploy.system import deploy_local_system

    build = project_build_info(root)
    w3 = connect(url)
    base = cfg.load(root)
    project = replace(base, networks={**base.networks, "local": cfg.NetworkConfig("local", url, 31337, None)},
                      deployments=deployments)
    manifest = deploy_local_system(w3, project, "local", build).manifest
    seed_demo_data(w3, manifest, build)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_fuzz(env: dict[str, str], engine: str, examples: int, profile: Path | None = None) -> dict:
    cmd = [str(UPGRADER), "fuzz", "--network", "local", "--seed", "1", "--examples", str(examples), "--engine", engine, "--json"]
    if profile is not None:
        cmd = [sys.executable, "-m", "cProfile", "-o", str(profile), *cmd]
    shutil.rmtree(Path(env["UPGRADER_PROJECT"]) / ".hypothesis", ignore_errors=True)  # each run starts alike
    cpu, start = children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - start, children_cpu() - cpu
    if proc.returncode != 0:
        sys.exit(f"upgrader fuzz --engine {engine} exited {proc.returncode}: {proc.stderr.strip() or proc.stdout[-400:]}")
    report = json.loads(proc.stdout)
    return {**report, "wall": wall, "cpu": cpu}


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def show_profile(path: Path, top: int) -> None:
    print(f"\ncProfile of the pyrevm row, {top} costliest functions by own time:")
    stats = pstats.Stats(str(path))
    stats.stream = sys.stdout
    stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=1000, help="examples of the pyrevm headline (the command's default)")
    parser.add_argument("--anvil-examples", type=int, default=200, help="examples of the side-by-side rows")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="profile the headline; print N functions")
    opts = parser.parse_args()
    from upgrader.chain import anvil

    with tempfile.TemporaryDirectory(prefix="bench-fuzz-") as tmp, anvil.running(["--silent"], root=ROOT) as node:
        root, deployments = demo_project(Path(tmp))
        deploy_demo(root, deployments, node.url)
        env = {**os.environ, "UPGRADER_PROJECT": str(root), "UPGRADER_RPC_LOCAL": node.url,
               "UPGRADER_DEPLOYMENTS": str(deployments), "NO_COLOR": "1"}
        print(f"demo system on {node.url}; `upgrader fuzz --seed 1 --json` with the differential check, "
              f"{os.cpu_count()} cores, load average {load()}")
        profile = Path(tmp) / "fuzz.prof" if opts.profile else None
        rows = [("pyrevm (default)", run_fuzz(env, "revm", opts.examples, profile)),
                ("pyrevm", run_fuzz(env, "revm", opts.anvil_examples)),
                ("Anvil JSON-RPC", run_fuzz(env, "anvil", opts.anvil_examples))]
        if profile is not None:
            show_profile(profile, opts.profile)
    print(f"{'engine':<18} {'examples':>8} {'calls':>7} {'wall s':>7} {'start s':>7} {'calls/s':>8} {'search calls/s':>15} "
          f"{'CPU s':>6} {'calls/CPU s':>12}")
    for name, r in rows:
        print(f"{name:<18} {r['examples']:>8} {r['calls']:>7} {r['wall']:>7.1f} {r['wall'] - r['seconds']:>7.1f} "
              f"{r['calls'] / r['wall']:>8.0f} {r['calls_per_s']:>15} {r['cpu']:>6.1f} {r['calls'] / r['cpu']:>12.0f}")
    headline, revm, on_anvil = (r for _, r in rows)
    same = "the same calls" if revm["calls"] == on_anvil["calls"] else "NOT the same calls: the engines disagree or the seed does not repeat"
    print(f"side by side ({opts.anvil_examples} examples of seed 1, {same}): pyrevm {revm['calls'] / revm['wall']:.0f} "
          f"vs Anvil {on_anvil['calls'] / on_anvil['wall']:.0f} calls/s whole process, "
          f"{revm['calls_per_s'] / max(1, on_anvil['calls_per_s']):.1f}x in the search")
    whole, per_cpu = headline["calls"] / headline["wall"], headline["calls"] / headline["cpu"]
    verdict = "met" if whole >= TARGET_CALLS_PER_S else (
        "NOT met in wall time" + (", met per CPU second: the neighbours took the rest" if per_cpu >= TARGET_CALLS_PER_S else ""))
    print(f"whole process with pyrevm, {headline['examples']} examples: {whole:.0f} calls/s wall, {per_cpu:.0f} per CPU second "
          f"(target >= {TARGET_CALLS_PER_S}: {verdict}); load average {load()}")
    if profile is not None:
        print("(profiled: cProfile slows the headline row)")


if __name__ == "__main__":
    main()
