"""`upgrader plan` + `upgrader simulate` for the demo system (3 proxies, 2 upgraded), as
processes, on a throwaway Anvil with V1 deployed and seeded. Target: under 15 s wall on this
2-core machine, Anvil start included. Prints the breakdown.

    .venv/bin/python benchmarks/bench_pipeline.py
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UPGRADER = str(ROOT / ".venv" / "bin" / "upgrader")


def main() -> None:
    from upgrader import config as cfg
    from upgrader.build.project import project_build_info
    from upgrader.chain import anvil
    from upgrader.chain.rpc import connect
    from upgrader.deploy.seed import seed_demo_data
    from upgrader.deploy.system import deploy_local_system

    t = time.perf_counter()
    build_info = project_build_info(ROOT)
    compile_s = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp, anvil.running(["--silent"], root=ROOT) as node:
        w3 = connect(node.url)
        project = replace(cfg.load(ROOT), deployments=Path(tmp))
        result = deploy_local_system(w3, project, "local", build_info)
        seed_demo_data(w3, result.manifest, build_info)
        env = {**os.environ, "UPGRADER_RPC_LOCAL": node.url, "UPGRADER_DEPLOYMENTS": tmp, "UPGRADER_PROJECT": str(ROOT)}

        t = time.perf_counter()
        out = subprocess.run([UPGRADER, "plan", "--json"], env=env, capture_output=True, text=True, check=True)
        plan_s = time.perf_counter() - t
        path = json.loads(out.stdout)["path"]
        t = time.perf_counter()
        out = subprocess.run([UPGRADER, "simulate", path, "--json"], env=env, capture_output=True, text=True, check=False)
        sim_s = time.perf_counter() - t
        report = json.loads(out.stdout)

    print(f"compile (cold or cached, in-process): {compile_s:6.2f} s")
    print(f"upgrader plan   (process, wall)     : {plan_s:6.2f} s")
    print(f"upgrader simulate (process, wall)   : {sim_s:6.2f} s   ok={report['ok']}")
    for phase, ms in report["timings_ms"].items():
        print(f"  simulate/{phase:<14}            : {ms / 1000:6.2f} s")
    total = plan_s + sim_s
    print(f"plan + simulate                     : {total:6.2f} s  (target < 15 s: {'met' if total < 15 else 'MISSED'})")


if __name__ == "__main__":
    main()
