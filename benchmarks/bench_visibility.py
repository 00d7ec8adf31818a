"""`upgrader review BATCH --simulate` of the demo batch and `upgrader watch --once` over 10,000
blocks with 100 events, each as a whole process on a throwaway Anvil with V1 deployed and seeded.
Targets: review --simulate under 3 s (fork start included), watch --once under 5 s.

    .venv/bin/python benchmarks/bench_visibility.py
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UPGRADER = str(ROOT / ".venv" / "bin" / "upgrader")


def _timed(args: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    t = time.perf_counter()
    out = subprocess.run([UPGRADER, *args], env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - t, out


def main() -> None:
    from upgrader import config as cfg
    from upgrader.build.project import project_build_info
    from upgrader.chain import anvil
    from upgrader.chain.rpc import connect, send
    from upgrader.sim.safe_exec import approve_and_execute, safe_contract
    from upgrader.deploy.seed import seed_demo_data
    from upgrader.deploy.system import deploy_local_system
    from upgrader.safe import Call, add_checksum, build_batch_file
    from upgrader.safe.tx import SafeTx

    build_info = project_build_info(ROOT)
    with tempfile.TemporaryDirectory() as tmp, anvil.running(["--silent"], root=ROOT) as node:
        w3 = connect(node.url)
        project = replace(cfg.load(ROOT), deployments=Path(tmp))
        result = deploy_local_system(w3, project, "local", build_info)
        seed_demo_data(w3, result.manifest, build_info)
        env = {**os.environ, "UPGRADER_RPC_LOCAL": node.url, "UPGRADER_DEPLOYMENTS": tmp, "UPGRADER_PROJECT": str(ROOT)}
        plan = json.loads(subprocess.run([UPGRADER, "plan", "--json"], env=env, capture_output=True, text=True, check=True).stdout)
        plan = json.loads(Path(plan["path"]).read_text())
        safe = result.manifest.safe.address
        batch = copy.deepcopy(build_batch_file(chain_id=31337, safe=safe, name="demo",
                                               calls=[Call(c["to"], c["data"], int(c["value"])) for c in plan["calls"]]))
        batch["meta"]["nonce"] = str(safe_contract(w3, safe).functions.nonce().call())
        path = Path(tmp) / "batch.json"
        path.write_text(json.dumps(add_checksum(batch)))
        print("reviewing", flush=True)
        review_s, out = _timed(["review", str(path), "--simulate", "--json"], env)
        sim = json.loads(out.stdout)["simulation"]

        # watch: 10,000 blocks, 100 of them carrying an event watch reads (Safe executions of a no-op)
        subprocess.run([UPGRADER, "watch", "--once", "--json", "--no-service", "--max-head-age", "1000000"], env=env, capture_output=True, check=False)
        owners = result.manifest.safe.owners[: result.manifest.safe.threshold]
        start = w3.eth.block_number
        print("making 10,000 blocks with 100 Safe executions", flush=True)
        for i in range(100):
            nonce = safe_contract(w3, safe).functions.nonce().call()
            approve_and_execute(w3, safe, SafeTx(to=owners[0], data=b"", nonce=nonce), owners)
            anvil.rpc_call(node.url, "anvil_mine", [hex(97)], timeout=60)
        anvil.rpc_call(node.url, "anvil_mine", [hex(max(0, 10_000 - (w3.eth.block_number - start)))], timeout=120)
        send(w3, {"from": owners[0], "to": owners[0], "value": 0})
        blocks = w3.eth.block_number - start
        watch_s, wout = _timed(["watch", "--once", "--json", "--no-service", "--max-head-age", "1000000"], env)

    load = os.getloadavg()
    print(f"load average (1/5/15 min)           : {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    print(f"review --simulate (process, wall)   : {review_s:6.2f} s  ok={sim['execution']['ok']} "
          f"(target < 3 s: {'met' if review_s < 3 else 'MISSED'})")
    for phase, ms in sim["timings_ms"].items():
        print(f"  simulate/{phase:<12}              : {ms / 1000:6.2f} s")
    print(f"watch --once over {blocks} blocks, 100 Safe executions (process, wall): {watch_s:6.2f} s  exit={wout.returncode} "
          f"(target < 5 s: {'met' if watch_s < 5 else 'MISSED'})")


if __name__ == "__main__":
    main()
