"""`upgrader check --build-info DIR` beside `upgrades-core validate DIR` (issue 19), whole
processes, on generated build-infos of four sizes:

    64 contracts, 1 file (~2.6 MB)       32 V1/V2 pairs inheriting OpenZeppelin's Initializable
    400 contracts, 4 files (~40 MB)      50 pairs a file, with a few functions each
    forge build, 64 contracts (~42 MB)   OpenZeppelin 5 UUPS tokens with ERC-7201 state, built by forge
    3,200 contracts, 32 files (~316 MB)  as the second row, 32 files

For each row: the median wall time and the peak memory (the sum of the resident sets of the
process and its children, sampled) of upgrader with an empty cache ("cold": every file decoded,
the facts extracted and written), upgrader with the cache of a previous run ("warm": the CI case
of an unchanged build), and upgrades-core; runs alternate so all see the same machine. The
verdicts (each contract's pass/fail and the exit code) are compared between the tools.

    .venv/bin/python benchmarks/bench_check.py [--runs N] [--rows 1,2,3,4] [--profile]

Inputs are compiled once (solc through the project's build machinery; forge from node_modules)
and kept under .build/upgrader/bench-check/. ``--profile`` adds where a cold run spends its time:
by stage of the whole process (imports; facts: hashing, decoding and extraction in the
workers, cache reads; the engine; output), then the extraction by phase, CPU summed over the row's files.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from upgrader.build.project import CompilerSettings, collect_sources, compile_to_build_info  # noqa: E402

OZ = ROOT / "node_modules" / ".bin" / "openzeppelin-upgrades-core"
FORGE = ROOT / "node_modules" / ".bin" / "forge"
UPGRADER = ROOT / ".venv" / "bin" / "upgrader"
INPUTS = ROOT / ".build" / "upgrader" / "bench-check"
INITIALIZABLE = "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol"


@dataclass(frozen=True)
class BenchSettings(CompilerSettings):
    """Project settings, with the outputs upgrades-core reads as well (it walks linkReferences)."""

    def as_standard_json(self) -> dict[str, Any]:
        settings = super().as_standard_json()
        outputs = ["abi", "evm.bytecode", "evm.deployedBytecode", "evm.methodIdentifiers", "metadata", "storageLayout"]
        settings["outputSelection"] = {"*": {"*": outputs, "": ["ast"]}}
        return settings


@dataclass(frozen=True)
class Row:
    name: str
    files: int = 1
    pairs: int = 32  # V1/V2 pairs per file
    functions: int = 0  # extra functions per contract
    forge: int = 0  # contracts of a forge project instead

    @property
    def folder(self) -> Path:
        return INPUTS / re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-") / "build-info"


ROWS = [
    Row("64 contracts, 1 file"),
    Row("400 contracts, 4 files", files=4, pairs=50, functions=3),
    Row("forge build, 64 contracts, 1 file", forge=64),
    Row("3,200 contracts, 32 files", files=32, pairs=50, functions=3),
]


# -- inputs -------------------------------------------------------------------------------------


def contract_source(name: str, version: int, functions: int) -> str:
    extra = "\n    uint256 added;" if version == 2 else ""
    annotation = f"/// @custom:oz-upgrades-from {name}_V1\n" if version == 2 else ""
    body = "".join(
        f"\n    function op{k}(uint256 a) external returns (uint256) {{\n"
        f"        if (a > {k}) {{ fee = uint96(a % {k + 7}); history.push(a + {k}); }}\n"
        f"        positions[msg.sender].amount += uint128(a);\n        return history.length * {k + 1};\n    }}\n"
        for k in range(functions)
    )
    return (
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n\n"
        f'import {{Initializable}} from "{INITIALIZABLE}";\n\n'
        f"{annotation}contract {name}_V{version} is Initializable {{\n"
        "    struct Position { uint128 amount; uint64 since; address owner; }\n"
        "    enum State { Open, Closed }\n"
        "    mapping(address => Position) positions;\n"
        "    uint256[] history;\n    State state;\n    address admin;\n    uint96 fee;"
        f"{extra}\n    uint256[{40 - (version == 2)}] __gap;\n\n"
        "    /// @custom:oz-upgrades-unsafe-allow constructor\n"
        "    constructor() { _disableInitializers(); }\n\n"
        f"    function initialize(address a) external initializer {{ admin = a; }}\n{body}}}\n"
    )


def generate(row: Row) -> Path:
    folder = row.folder
    if folder.is_dir() and len(list(folder.glob("*.json"))) == row.files:
        return folder
    shutil.rmtree(folder.parent, ignore_errors=True)
    if row.forge:
        return forge_build(row, folder)
    folder.mkdir(parents=True)
    dependency = collect_sources(ROOT, [INITIALIZABLE], [ROOT / "node_modules"])
    for k in range(row.files):
        start = time.perf_counter()
        names = [f"Bench{k}x{n}" for n in range(row.pairs)]
        sources = {f"bench/f{k}/{name}_V{v}.sol": contract_source(name, v, row.functions) for name in names for v in (1, 2)}
        info = compile_to_build_info({**dependency, **sources}, BenchSettings("0.8.28"), INPUTS / "solc-cache")
        (folder / f"{info['id']}.json").write_text(json.dumps(info))
        print(f"  compiled file {k + 1}/{row.files} of {row.name!r} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return folder


FORGE_HEADER = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {ERC20Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/ERC20Upgradeable.sol";
"""


def forge_contract(n: int) -> str:
    """A UUPS token whose own state is one ERC-7201 namespace, with enough code to weigh ~0.6 MB of build-info."""
    from upgrader.layout.namespaces import erc7201_root

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


def forge_build(row: Row, out: Path) -> Path:
    """A Foundry project built by the real forge, offline, with the project's solc (as tests/forge_check)."""
    if not FORGE.exists():
        raise SystemExit(f"{FORGE} is missing; run `make install`")
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "big"
        (project / "src").mkdir(parents=True)
        (project / "node_modules").symlink_to(ROOT / "node_modules")
        solc = Path.home() / ".solcx" / "solc-v0.8.28"
        (project / "foundry.toml").write_text(
            f'[profile.default]\nsrc = "src"\nout = "out"\nlibs = ["node_modules"]\nsolc = "{solc}"\noffline = true\n'
            'build_info = true\nextra_output = ["storageLayout"]\nremappings = [\n'
            '  "@openzeppelin/contracts-upgradeable/=node_modules/@openzeppelin/contracts-upgradeable/",\n'
            '  "@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/",\n]\n'
        )
        for n in range(row.forge):
            (project / "src" / f"Big{n}.sol").write_text(forge_contract(n))
        start = time.perf_counter()
        proc = subprocess.run([str(FORGE), "build"], cwd=project, capture_output=True, text=True)
        if proc.returncode != 0 or not (project / "out" / "build-info").is_dir():
            raise SystemExit(f"forge build failed:\n{proc.stdout}{proc.stderr}")
        print(f"  forge build of {row.forge} contracts: {time.perf_counter() - start:.0f} s", file=sys.stderr)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(project / "out" / "build-info", out)
    return out


# -- measuring ------------------------------------------------------------------------------


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants, now."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    todo += [int(child) for child in f.read().split()]
        except (OSError, ValueError):
            continue
    return total


def run(cmd: list[str], env: dict[str, str], sample: bool = False) -> tuple[float, int, int, str]:
    """(wall seconds, exit code, peak tree RSS in bytes or 0, stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = [0]
    done = threading.Event()

    def sampler() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(proc.pid))
            time.sleep(0.002)

    thread = threading.Thread(target=sampler) if sample else None
    if thread:
        thread.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    if thread:
        thread.join()
    return wall, proc.returncode, peak[0], out


def verdicts_of_ours(out: str) -> dict[str, bool]:
    return {c["contract"]: c["ok"] for c in json.loads(out)["contracts"]}


def verdicts_of_openzeppelin(out: str) -> dict[str, bool]:
    return {m[2]: m[1] == "✔" for m in re.finditer(r"^\s*(✔|✘)\s+(\S+:\S+)", out, re.MULTILINE)}


def bench_row(row: Row, runs: int) -> dict[str, Any]:
    folder = generate(row)
    size = sum(p.stat().st_size for p in folder.glob("*.json"))
    scratch = Path(tempfile.mkdtemp(prefix="bench-check-"))
    warm_cache = scratch / "warm"
    base = {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"}
    ours = [str(UPGRADER), "check", "--build-info", str(folder), "--json"]
    commands: dict[str, tuple[list[str], Any]] = {
        "upgrader (cold)": (ours, lambda k: {**base, "UPGRADER_CACHE_DIR": str(scratch / f"cold{k}")}),
        "upgrader (warm)": (ours, lambda k: {**base, "UPGRADER_CACHE_DIR": str(warm_cache)}),
    }
    if OZ.exists():
        commands["upgrades-core"] = ([str(OZ), "validate", str(folder)], lambda k: base)
    _, ours_code, _, ours_out = run(ours, {**base, "UPGRADER_CACHE_DIR": str(warm_cache)})  # primes the warm cache
    times: dict[str, list[float]] = {name: [] for name in commands}
    for k in range(runs):  # alternate so all see the same machine state
        for name, (cmd, env) in commands.items():
            times[name].append(run(cmd, env(k))[0])
    peaks = {name: run(cmd, env(runs), sample=True)[2] for name, (cmd, env) in commands.items()}
    result = {"row": row, "size": size, "medians": {n: statistics.median(t) for n, t in times.items()}, "peaks": peaks}
    ours_verdicts = verdicts_of_ours(ours_out)
    result["contracts"] = len(ours_verdicts)
    if OZ.exists():
        _, oz_code, _, oz_out = run(commands["upgrades-core"][0], base)
        theirs = verdicts_of_openzeppelin(oz_out)
        same = {k: v for k, v in ours_verdicts.items() if k in theirs} == theirs and (oz_code == 0) == (ours_code == 0)
        result["same"] = same and len(theirs) > 0
    shutil.rmtree(scratch, ignore_errors=True)
    return result


def report(results: list[dict[str, Any]], runs: int) -> None:
    print(f"\nupgrader check --build-info vs upgrades-core validate (median of {runs} runs, peak = sampled process-tree RSS)")
    head = f"{'build-info':44s} {'tool':16s} {'median':>9s} {'peak':>9s} {'ratio':>6s}"
    print(head + "\n" + "-" * len(head))
    for r in results:
        label = f"{r['row'].name}, {r['size'] / 1e6:.1f} MB ({r['contracts']} checked)"
        theirs = r["medians"].get("upgrades-core")
        for k, (tool, median) in enumerate(r["medians"].items()):
            ratio = f"{median / theirs:.2f}" if theirs and tool != "upgrades-core" else ""
            print(f"{label if k == 0 else '':44s} {tool:16s} {median * 1000:7.0f} ms {r['peaks'][tool] / 2**20:6.0f} MiB {ratio:>6s}")
        if "same" in r:
            print(f"{'':44s} same verdicts as upgrades-core: {'yes' if r['same'] else 'NO'}")


SPANS = r"""
import gc, os, sys, time
gc.disable()  # as the quick lane (cli.common.quick.run): re-enabled, a full collection over the kept build lands in "output"
t0 = time.perf_counter()
from pathlib import Path
import upgrader.check.engine as engine
import upgrader.check.load as load
from upgrader.check.run import run_check
t1 = time.perf_counter()
spans = {}
def timed(module, name):
    original = getattr(module, name)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spans[name] = spans.get(name, 0.0) + time.perf_counter() - start
    setattr(module, name, wrapper)
timed(load, "load_folder"); timed(load, "_hashed"); timed(load, "_extract_all"); timed(engine, "check")
with open(os.devnull, "w") as sink:
    stdout, sys.stdout = sys.stdout, sink
    run_check(build_info=Path(sys.argv[1]), json_out=True)
    sys.stdout = stdout
rest = time.perf_counter() - t1 - spans["load_folder"] - spans["check"]
times = os.times()
print(f"imports {1e3 * (t1 - t0):.0f} ms, facts {1e3 * spans['load_folder']:.0f} ms (hashing {1e3 * spans['_hashed']:.0f}, "
      f"decode + extract in workers {1e3 * spans['_extract_all']:.0f}, cache reads and stale check the rest), "
      f"engine {1e3 * spans['check']:.0f} ms, output {1e3 * rest:.0f} ms; CPU: this process "
      f"{1e3 * (times.user + times.system):.0f} ms, workers {1e3 * (times.children_user + times.children_system):.0f} ms")
"""


def profile(row: Row) -> None:
    """Where a cold run of the row spends its time: the whole process by stage (wall, in a fresh
    process: ``SPANS``), then the files' extraction by phase (CPU, in this process, collector off as in a
    worker), summed over the row's files."""
    import gc

    import msgspec

    from upgrader.check.extract import extract, namespaces_outside, summary
    from upgrader.layout import upgradeability
    from upgrader.layout.buildset import BuildSet
    from upgrader.solc_ast import buildinfo
    from upgrader.solc_ast.index import forget
    from upgrader.validate import validate_both_references, validate_contract

    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "UPGRADER_CACHE_DIR": cache}
        spans = subprocess.run([str(UPGRADER.parent / "python"), "-c", SPANS, str(row.folder)], env=env, capture_output=True, text=True)
    print(f"  {row.name}, whole process: {spans.stdout.strip() or spans.stderr.strip()[-300:]}")
    phases = dict.fromkeys(["read", "hash", "typed pass (AST text kept)", "ASTs without bodies", "index", "layouts",
                            "validation", "summaries", "facts encoded", "freed"], 0.0)
    clock = time.process_time
    gc.disable()
    for path in sorted(row.folder.glob("*.json")):
        t = clock(); data = path.read_bytes(); phases["read"] += clock() - t
        t = clock(); hashlib_sha256(data); phases["hash"] += clock() - t
        t = clock(); buildinfo._BUILD_INFO.decode(data); phases["typed pass (AST text kept)"] += clock() - t
        t = clock(); info = buildinfo.read_build_info(path, data); phases["ASTs without bodies"] += clock() - t
        t = clock(); build = BuildSet(); build.add(info, path); index = build.builds[0].index; phases["index"] += clock() - t
        concrete = [fqn for fqn, node in index.contracts.items() if upgradeability.is_concrete(node)]
        t = clock(); [build.layout(fqn).to_json() for fqn in concrete]; phases["layouts"] += clock() - t
        t = clock()
        for fqn in concrete:
            if upgradeability.has_upgrade_function(index, build.node(fqn)):
                validate_contract(info, fqn, index=index)
            else:
                validate_both_references(info, fqn, index=index)
        phases["validation"] += clock() - t
        t = clock()
        [summary(index, fqn, node) for fqn, node in index.contracts.items()]
        namespaces_outside(index)
        phases["summaries"] += clock() - t
        facts = extract(build)
        t = clock(); msgspec.json.encode(facts); phases["facts encoded"] += clock() - t
        t = clock(); forget(info); del build, index, info, facts, data; phases["freed"] += clock() - t
    gc.enable()
    phases["ASTs without bodies"] -= phases["typed pass (AST text kept)"]  # read_build_info makes the typed pass too
    total = sum(phases.values())
    print(f"  {row.name}, extraction CPU over {len(list(row.folder.glob('*.json')))} file(s), {total * 1e3:.0f} ms: "
          + ", ".join(f"{name} {1e3 * seconds:.0f}" for name, seconds in phases.items()))


def hashlib_sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", default="1,2,3,4", help="which rows, e.g. 1,3")
    parser.add_argument("--profile", action="store_true", help="where a cold run spends its time, by stage and phase")
    args = parser.parse_args()
    rows = [ROWS[int(k) - 1] for k in args.rows.split(",")]
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)  # as installed
    results = [bench_row(row, args.runs) for row in rows]
    report(results, args.runs)
    if args.profile:
        print("\nwhere a cold run spends its time:")
        for row in rows:
            profile(row)


if __name__ == "__main__":
    main()
