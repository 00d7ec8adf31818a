"""The solc executable py-solc-x/ape-solidity use is faithful to solc-js: for a project
contract with non-default settings, standard-JSON output through the front end has the same
bytecode and metadata as solc-js's own ``compile`` on the same input."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from upgrader.build import solc
from upgrader.build.project import CompilerSettings, collect_sources, standard_input

ROOT = Path(__file__).resolve().parents[1]
VERSION = "0.8.28"


@pytest.fixture(scope="module")
def std_input() -> dict:
    sources = collect_sources(ROOT, ["contracts/v1/AccessHub.sol"], [ROOT / "node_modules"])
    settings = CompilerSettings(version=VERSION, optimize=True, runs=1000, evm_version="paris")
    return standard_input(sources, settings)


def _solcjs_compile(std_input: dict) -> dict:
    script = "const solc=require(process.argv[1]);let s='';process.stdin.on('data',c=>s+=c).on('end',()=>process.stdout.write(solc.compile(s)))"
    out = subprocess.run(
        ["node", "-e", script, str(ROOT / "node_modules" / "solc")],
        input=json.dumps(std_input).encode(), capture_output=True, check=True,
    )
    return json.loads(out.stdout)


def test_version_line_is_what_py_solc_x_expects():
    out = subprocess.run([str(solc.solc_path(VERSION)), "--version"], capture_output=True, text=True, check=True).stdout
    assert f"Version: {VERSION}+commit.7893614a" in out


def test_front_end_output_equals_solcjs(std_input):
    ours = solc.compile_standard(VERSION, std_input)["contracts"]["contracts/v1/AccessHub.sol"]["AccessHub"]
    ref = _solcjs_compile(std_input)["contracts"]["contracts/v1/AccessHub.sol"]["AccessHub"]
    assert ours["evm"]["bytecode"]["object"] == ref["evm"]["bytecode"]["object"]
    assert ours["evm"]["deployedBytecode"]["object"] == ref["evm"]["deployedBytecode"]["object"]
    assert ours["metadata"] == ref["metadata"]
    meta = json.loads(ours["metadata"])
    assert meta["settings"]["optimizer"] == {"enabled": True, "runs": 1000}
    assert meta["settings"]["evmVersion"] == "paris"


def test_settings_reach_the_compiler(std_input):
    """Changing a setting changes the output: nothing is silently dropped on the way."""
    other = json.loads(json.dumps(std_input))
    other["settings"]["optimizer"]["runs"] = 200
    a = solc.compile_standard(VERSION, std_input)["contracts"]["contracts/v1/AccessHub.sol"]["AccessHub"]
    b = solc.compile_standard(VERSION, other)["contracts"]["contracts/v1/AccessHub.sol"]["AccessHub"]
    assert a["metadata"] != b["metadata"]


def test_unknown_flag_is_refused():
    proc = subprocess.run([str(solc.solc_path(VERSION)), "--bin", "x.sol"], capture_output=True, text=True)
    assert proc.returncode != 0 and "unsupported argument" in proc.stderr
