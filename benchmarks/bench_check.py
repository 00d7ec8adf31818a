"""Figures for the upgrade-safety checker on this machine:

(a) wall time of the whole `upgrader check --build-info DIR` process against
    `upgrades-core validate DIR` on a generated build-info with 64 upgradeable contracts
    (32 V1/V2 pairs inheriting OpenZeppelin's Initializable), runs alternating;
(b) comparing two storage layouts of 5,000 variables each (a few scattered changes);
(c) both tools on the build-info of a large Foundry project built with the real forge
    (OpenZeppelin 5 UUPS contracts with ERC-7201 state; one build-info file of >= 40 MB).

    .venv/bin/python benchmarks/bench_check.py [--runs N] [--forge-contracts N]
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
    from upgrader.check.engine import CheckOptions, _plan, _validator, check_contract
    from upgrader.layout.buildset import BuildSet
    from upgrader.layout.references import Builds

    start = time.perf_counter()
    builds = BuildSet.load(folder)
    loaded = time.perf_counter()
    targets = _plan(Builds(builds), CheckOptions())
    for fqn, ref in targets:
        check_contract(builds, fqn, ref)
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


FORGE = ROOT / "node_modules" / ".bin" / "forge"
FORGE_HEADER = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {ERC20Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/ERC20Upgradeable.sol";
"""


def forge_contract(n: int) -> str:
    from upgrader.layout.namespaces import erc7201_root

    """A UUPS token whose own state is one ERC-7201 namespace, with enough code to weigh ~0.3 MB of build-info."""
    fields = "\n".join(f"        uint256 f{k};" for k in range(24))
    functions = "\n".join(
        f"    function op{k}(uint256 a, uint256 b) external returns (uint256) {{\n"
        f"        S storage $ = _s();\n        $.f{k % 24} = a * {k + 1} + b / {k + 2} + $.f{(k + 1) % 24};\n"
        f"        if ($.f{k % 24} > {k}) {{ $.f{(k + 3) % 24} += a; }} else {{ $.f{(k + 5) % 24} -= b; }}\n"
        f"        return $.f{k % 24};\n    }}"
        for k in range(40)
    )
    return FORGE_HEADER + f"""
contract Big{n} is ERC20Upgradeable, OwnableUpgradeable, UUPSUpgradeable {{
    /// @custom:storage-location erc7201:bench.big{n}
    struct S {{
{fields}
    }}

    bytes32 private constant LOCATION = {erc7201_root(f"bench.big{n}"):#066x};

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {{
        _disableInitializers();
    }}

    function initialize(address owner) external initializer {{
        __ERC20_init("Big{n}", "B{n}");
        __Ownable_init(owner);
    }}

    function _s() private pure returns (S storage $) {{
        assembly {{
            $.slot := LOCATION
        }}
    }}

{functions}

    function _authorizeUpgrade(address) internal override onlyOwner {{}}
}}
"""


def forge_project(folder: Path, contracts: int) -> Path:
    solc = Path.home() / ".solcx" / "solc-v0.8.28"
    (folder / "src").mkdir(parents=True)
    (folder / "node_modules").symlink_to(ROOT / "node_modules")
    (folder / "foundry.toml").write_text(
        f'[profile.default]\nsrc = "src"\nout = "out"\nlibs = ["node_modules"]\nsolc = "{solc}"\noffline = true\n'
        'build_info = true\nextra_output = ["storageLayout"]\nremappings = [\n'
        '  "@openzeppelin/contracts-upgradeable/=node_modules/@openzeppelin/contracts-upgradeable/",\n'
        '  "@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/",\n]\n'
    )
    for n in range(contracts):
        (folder / "src" / f"Big{n}.sol").write_text(forge_contract(n))
    start = time.perf_counter()
    proc = subprocess.run([str(FORGE), "build"], cwd=folder, capture_output=True, text=True)
    if proc.returncode != 0 or not (folder / "out" / "build-info").is_dir():
        raise SystemExit(f"forge build failed:\n{proc.stdout}{proc.stderr}")
    print(f"(c) forge build of {contracts} contracts: {time.perf_counter() - start:.0f} s")
    return folder / "out" / "build-info"


def bench_forge(runs: int, contracts: int) -> None:
    if not FORGE.exists():
        print("(c) forge not installed (node_modules absent); skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = forge_project(Path(tmp) / "big", contracts)
        size = sum(p.stat().st_size for p in folder.glob("*.json")) / 1e6
        upgrader = str(ROOT / ".venv" / "bin" / "upgrader")
        commands = {"upgrader check --build-info --json": [upgrader, "check", "--build-info", str(folder), "--json"]}
        if OZ.exists():
            commands["upgrades-core validate"] = [str(OZ), "validate", str(folder)]
        out = subprocess.run(commands["upgrader check --build-info --json"], capture_output=True, text=True).stdout
        checked = len(json.loads(out)["contracts"]) if out.strip().startswith("{") else "?"
        times: dict[str, list[float]] = {name: [] for name in commands}
        codes: dict[str, int] = {}
        for _ in range(runs):
            for name, cmd in commands.items():
                t, codes[name] = wall(cmd)
                times[name].append(t)
        medians = {name: statistics.median(values) for name, values in times.items()}
        print(f"    forge build-info: {size:.1f} MB in {len(list(folder.glob('*.json')))} file(s), {checked} upgradeable contracts")
        for name, median in medians.items():
            print(f"    {name:36s} median {median * 1000:6.0f} ms  ({runs} runs, exit {codes[name]})")
        if "upgrades-core validate" in medians:
            ours = medians["upgrader check --build-info --json"]
            print(f"    upgrader check is {medians['upgrades-core validate'] / ours:.2f}x faster than upgrades-core on it")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--forge-contracts", type=int, default=64, help="contracts in the generated forge project")
    args = parser.parse_args()
    bench_processes(args.runs)
    bench_large_layouts(args.runs)
    bench_forge(max(1, args.runs // 2), args.forge_contracts)


if __name__ == "__main__":
    main()
