"""The solc-js front end compiles standard-JSON inputs of any size (solc-js's own `compile`
dies with "memory access out of bounds" over ~1.3 MB: it copies the input onto the 5 MiB
Emscripten stack), and answers imports missing from the input from --base-path."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from upgrader.build import solc

VERSION = "0.8.28"
PAD = "// " + "filler " * 14 + "\n"  # ~100 bytes of comment per line


def generated_input(size: int, contracts: int = 12) -> dict:
    lines = size // contracts // len(PAD) + 1
    sources = {
        f"gen/C{i}.sol": {"content": f"// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\n{PAD * lines}"
                                      f"contract C{i} {{ function f(uint256 x) external pure returns (uint256) {{ return x + {i}; }} }}\n"}
        for i in range(contracts)
    }
    return {"language": "Solidity", "sources": sources,
            "settings": {"outputSelection": {"*": {"*": ["evm.deployedBytecode.object"]}}}}


def test_a_5_mb_input_compiles() -> None:
    std_input = generated_input(5 * 1024 * 1024)
    assert len(json.dumps(std_input)) > 5 * 1024 * 1024
    out = solc.compile_standard(VERSION, std_input)
    assert sorted(out["contracts"]) == sorted(std_input["sources"])
    assert all(len(c[f"C{i}"]["evm"]["deployedBytecode"]["object"]) > 100
               for i, c in ((int(k.split("C")[1].split(".")[0]), v) for k, v in out["contracts"].items()))


def test_imports_not_in_the_input_are_read_from_the_base_path(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "L.sol").write_text("// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\nlibrary L { function one() internal pure returns (uint256) { return 1; } }\n")
    std_input = {"language": "Solidity",
                 "sources": {"A.sol": {"content": 'pragma solidity ^0.8.0;\nimport "lib/L.sol";\ncontract A { function f() external pure returns (uint256) { return L.one(); } }'}},
                 "settings": {"outputSelection": {"*": {"*": ["evm.deployedBytecode.object"]}}}}
    out = solc.compile_standard(VERSION, std_input, base_path=tmp_path)
    assert "lib/L.sol" in out["sources"] and out["contracts"]["A.sol"]["A"]["evm"]["deployedBytecode"]["object"]
    proc = subprocess.run([str(solc.solc_path(VERSION)), "--standard-json"], input=json.dumps(std_input),
                          capture_output=True, text=True, cwd=tmp_path / "lib")  # no base path: not found
    assert "File not found" in proc.stdout or "not found" in proc.stdout
