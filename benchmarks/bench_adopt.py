"""Adopting the Foundry fixture (tests/adopt/project: UUPS and Transparent on OZ 5 and 4.9, a
Beacon with two proxies): upgrader's cold (empty cache) and cached compile of the project, and
`upgrader import --from-forge-broadcast` of the system the fixture's forge script deployed on a
fresh Anvil (in-process, build cached, as a user's second command would be; and as a fresh
process). Prints the figures; no targets are asserted.

    .venv/bin/python benchmarks/bench_adopt.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "adopt"))


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    from adopt_fixture import copy_project, deploy  # the test fixture's own deployment

    from upgrader.build.project import project_build_info
    from upgrader.chain import anvil

    with tempfile.TemporaryDirectory(prefix="bench-adopt-") as tmp:
        root = copy_project(Path(tmp) / "project")
        _, cold = timed(lambda: project_build_info(root))
        _, cached = timed(lambda: project_build_info(root))
        print(f"compile, cold (empty cache):        {cold:6.2f} s")
        print(f"compile, cached:                    {cached:6.2f} s")
        with anvil.running(["--silent"], root=ROOT) as node:
            system = deploy(root, node)
            env = {**system.env(), "COLUMNS": "200"}
            args = ["import", "--network", "anvil", "--from-forge-broadcast", str(system.broadcast), "--multisend", system.multisend, "--json"]
            from typer.testing import CliRunner

            from upgrader.cli.main import app

            result, in_process = timed(lambda: CliRunner().invoke(app, args, env=env))
            assert result.exit_code == 0, result.stdout + result.stderr
            proc, whole = timed(lambda: subprocess.run([str(ROOT / ".venv" / "bin" / "upgrader"), *args, "--force"], env={**os.environ, **env},
                                                       capture_output=True, text=True))
            assert proc.returncode == 0, proc.stderr
            import json

            modules = json.loads(result.stdout)["proxies"]
            what = f"{len(modules)} modules / {sum(max(1, len(m['beacon_proxies'])) for m in modules)} proxies"
            print(f"import of {what}, in-process:    {in_process:6.2f} s")
            print(f"import of {what}, whole process: {whole:6.2f} s")
            print(f"(forge script deploying the fixture: {system.timings['forge_script_s']:.2f} s)")


if __name__ == "__main__":
    main()
