"""Figures for the upgrade-safety checker on this machine:

(a) wall time of the whole `upgrader check --build-info DIR` process against
    `upgrades-core validate DIR` on a generated build-info with 64 upgradeable contracts
    (32 V1/V2 pairs inheriting OpenZeppelin's Initializable), runs alternating;
(b) comparing two storage layouts of 5,000 variables each (a few scattered changes).

    .venv/bin/python benchmarks/bench_check.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from upgrader.build.project import CompilerSettings, collect_sources, compile_to_build_info  # noqa: E402
from upgrader.layout.asttypes import pack  # noqa: E402
from upgrader.layout.compare import compare_layouts  # noqa: E402
from upgrader.layout.model import StorageItem, StorageLayout, TypeInfo  # noqa: E402

PAIRS = 32
OZ = ROOT / "node_modules" / ".bin" / "openzeppelin-upgrades-core"


@dataclass(frozen=True)
class BenchSettings(CompilerSettings):
    """Project settings, with the outputs upgrades-core reads as well (it walks linkReferences)."""

    def as_standard_json(self) -> dict[str, Any]:
        settings = super().as_standard_json()
        outputs = ["abi", "evm.bytecode", "evm.deployedBytecode", "evm.methodIdentifiers", "metadata", "storageLayout"]
        settings["outputSelection"] = {"*": {"*": outputs, "": ["ast"]}}
        return settings


def contract_source(n: int, version: int) -> str:
    extra = "\n    uint256 added;" if version == 2 else ""
    annotation = f"/// @custom:oz-upgrades-from Bench{n}_V1\n" if version == 2 else ""
    return (
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n\n"
        'import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";\n\n'
        f"{annotation}contract Bench{n}_V{version} is Initializable {{\n"
        "    struct Position { uint128 amount; uint64 since; address owner; }\n"
        "    enum State { Open, Closed }\n"
        "    mapping(address => Position) positions;\n"
        "    uint256[] history;\n    State state;\n    address admin;\n    uint96 fee;"
        f"{extra}\n    uint256[{40 - (version == 2)}] __gap;\n\n"
        "    /// @custom:oz-upgrades-unsafe-allow constructor\n"
        "    constructor() { _disableInitializers(); }\n\n"
        "    function initialize(address a) external initializer { admin = a; }\n}\n"
    )


def build_folder(folder: Path) -> None:
    generated = {f"bench/Bench{n}_V{v}.sol": contract_source(n, v) for n in range(PAIRS) for v in (1, 2)}
    initializable = "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol"
    sources = {**collect_sources(ROOT, [initializable], [ROOT / "node_modules"]), **generated}
    info = compile_to_build_info(dict(sorted(sources.items())), BenchSettings("0.8.28"), ROOT / ".build" / "upgrader" / "bench")
    (folder / f"{info['id']}.json").write_text(json.dumps(info))


def library_breakdown(folder: Path) -> None:
    """Where the time goes inside the process: reading, layouts, unsafe-pattern validation."""
    from upgrader.check import _validator, check_contract
    from upgrader.layout.buildset import BuildSet

    start = time.perf_counter()
    builds = BuildSet.load(folder)
    loaded = time.perf_counter()
    targets = [(fqn, builds.upgrades_from(fqn)) for fqn in builds.upgradeable()]
    for fqn, ref in targets:
        check_contract(builds, fqn, builds, builds.resolve(ref) if ref else None)
    layouts = time.perf_counter()
    validator = _validator()
    if validator is not None:
        for fqn, _ in targets:
            validator(builds.build_info(fqn), fqn, frozenset())
    validated = time.perf_counter()
    print(
        f"    in-process: load {1000 * (loaded - start):.0f} ms, layouts {1000 * (layouts - loaded):.0f} ms, "
        f"validator {1000 * (validated - layouts):.0f} ms" + ("" if validator else " (not installed)")
    )


def wall(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False, env=env)
    return time.perf_counter() - start, proc.returncode


def bench_processes(runs: int) -> None:
    # As installed: bytecode compiled (pip does it; `make install` does it for uv and src/).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "build-info"
        folder.mkdir()
        build_folder(folder)
        upgrader = str(ROOT / ".venv" / "bin" / "upgrader")
        commands = {
            "upgrader check --build-info --json": [upgrader, "check", "--build-info", str(folder), "--json"],
            "upgrader check --build-info (text)": [upgrader, "check", "--build-info", str(folder)],
        }
        if OZ.exists():
            commands["upgrades-core validate"] = [str(OZ), "validate", str(folder)]
        out = subprocess.run(commands["upgrader check --build-info --json"], cwd=ROOT, capture_output=True, text=True).stdout
        checked = len(json.loads(out)["contracts"]) if out.strip().startswith("{") else "?"
        times: dict[str, list[float]] = {name: [] for name in commands}
        codes: dict[str, int] = {}
        for _ in range(runs):  # alternate so all see the same machine state
            for name, cmd in commands.items():
                t, codes[name] = wall(cmd)
                times[name].append(t)
        medians = {name: statistics.median(values) for name, values in times.items()}
        for name, median in medians.items():
            print(f"(a) {name:36s} median {median * 1000:5.0f} ms  ({runs} runs, exit {codes[name]})")
        print(f"    {checked} upgradeable contracts in one build-info of {sum(p.stat().st_size for p in folder.iterdir()) / 1e6:.1f} MB")
        if "upgrades-core validate" in medians:
            theirs = medians["upgrades-core validate"]
            for name in list(commands)[:2]:
                print(f"    {name:36s} {theirs / medians[name]:.2f}x faster than upgrades-core (target >= 2x)")
        else:
            print("    upgrades-core not installed (node_modules absent); no comparison")
        cold_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": str(Path(tmp) / "no-pyc")}
        cold = statistics.median(wall(commands["upgrader check --build-info --json"], cold_env)[0] for _ in range(3))
        print(f"    without any bytecode (every module compiled on import): {cold * 1000:.0f} ms")
        library_breakdown(folder)


ELEMENTARY = [("uint8", 1), ("uint64", 8), ("uint128", 16), ("uint256", 32), ("address", 20), ("bool", 1), ("bytes32", 32)]
TYPES = {f"t_{label}": TypeInfo(f"t_{label}", "elementary", label, size) for label, size in ELEMENTARY}


def synthetic(variables: list[tuple[str, str]]) -> StorageLayout:
    positions, _ = pack(TYPES[t] for _, t in variables)
    items = tuple(
        StorageItem("big.sol:Big", label, slot, offset, TYPES[t].size, t)
        for (label, t), (slot, offset) in zip(variables, positions)
    )
    return StorageLayout("big.sol:Big", items, TYPES)


def bench_large_layouts(runs: int) -> None:
    ids = sorted(TYPES)
    old_vars = [(f"v{i}", ids[(i * 7) % len(ids)]) for i in range(5000)]
    new_vars = list(old_vars)
    new_vars[3] = ("renamed3", new_vars[3][1])  # a change near the start ...
    new_vars.insert(2500, ("inserted", "t_uint256"))  # ... one in the middle ...
    del new_vars[4000]
    new_vars[-2] = (new_vars[-2][0], "t_bool" if new_vars[-2][1] != "t_bool" else "t_uint8")  # ... and one near the end
    new_vars = new_vars[:5000]
    old, new = synthetic(old_vars), synthetic(new_vars)
    times, ops = [], []
    for _ in range(runs):
        start = time.perf_counter()
        ops = compare_layouts(old, new)
        times.append(time.perf_counter() - start)
    errors = sum(not op.ok for op in ops)
    print(f"(b) compare 5,000 vs 5,000 variables median {statistics.median(times) * 1000:7.0f} ms  "
          f"({runs} runs, {len(ops)} operations, {errors} errors; target < 1000 ms)")
    same = time.perf_counter()
    compare_layouts(old, old)
    print(f"    identical 5,000-variable layouts       {(time.perf_counter() - same) * 1000:7.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    bench_processes(args.runs)
    bench_large_layouts(args.runs)


if __name__ == "__main__":
    main()
