"""Compiling a Foundry project with OpenZeppelin imports (tests/build/foundry_project, OZ 5
linked under lib/ as a team would have it): cold (empty cache) and cached, in-process and as
a fresh process (`python -c "project_build_info(root)"`, imports included), next to
`forge build` of the same project with the same compiler; and a generated 5 MB standard-JSON
input through the solc front end. Prints the figures; no targets are asserted.

    .venv/bin/python benchmarks/bench_build.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "build"))


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    from build_helpers import copy_fixture, forge, forge_home
    from test_solc_frontend_large import generated_input

    from upgrader.build import solc
    from upgrader.build.project import project_build_info

    with tempfile.TemporaryDirectory() as tmp:
        project = copy_fixture(Path(tmp) / "project")
        info, cold = timed(lambda: project_build_info(project))
        _, cached = timed(lambda: project_build_info(project))
        code = f"from upgrader.build.project import project_build_info; project_build_info(__import__('pathlib').Path({str(project)!r}))"
        _, process = timed(lambda: subprocess.run([sys.executable, "-c", code], check=True))
        shutil.rmtree(project / ".build")
        _, process_cold = timed(lambda: subprocess.run([sys.executable, "-c", code], check=True))
        home = forge_home(Path(tmp), "0.8.28")
        built, forge_s = timed(lambda: forge(project, "build", home=home))
        assert built.returncode == 0, built.stderr
        print(f"foundry fixture: {len(info['input']['sources'])} sources, solc {info['solcLongVersion']}")
        print(f"  cold compile (in process)      {cold:6.2f} s")
        print(f"  cached (in process)            {cached:6.3f} s")
        print(f"  cold, fresh process            {process_cold:6.2f} s")
        print(f"  cached, fresh process          {process:6.2f} s")
        print(f"  forge build (same solc)        {forge_s:6.2f} s")

    big = generated_input(5 * 1024 * 1024)
    size = len(json.dumps(big))
    out, big_s = timed(lambda: solc.compile_standard("0.8.28", big))
    print(f"5 MB input ({size / 2**20:.1f} MiB, {len(out['contracts'])} sources): {big_s:.2f} s through the front end")
    print(f"(machine load: {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
