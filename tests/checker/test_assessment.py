"""Which contracts are reported, annotation arity, and namespace errors, each against
OpenZeppelin's `upgrades-core validate` on the same build-info (OpenZeppelin's
getUpgradeabilityAssessment is the rule we match, plus the contracts named as references)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from checker_fixtures import CACHE, ROOT, SETTINGS
from upgrader.build.project import compile_to_build_info

OZ = ROOT / "node_modules" / ".bin" / "openzeppelin-upgrades-core"
UPGRADER = ROOT / ".venv" / "bin" / "upgrader"
P = "pragma solidity ^0.8.20;\n"
ASSESSED = {
    "a/Annotated.sol": P + """/// @custom:oz-upgrades
contract Annotated {
    function f(address t) external {
        (bool ok,) = t.delegatecall("");
        require(ok);
        selfdestruct(payable(t));
    }
}
""",
    "a/Legacy.sol": P + "contract Legacy {\n    function upgradeTo(address) public {}\n}\n",
    "a/Ref.sol": P + """contract RefV1 {
    uint256 x;
    function kill() external { selfdestruct(payable(msg.sender)); }
}
/// @custom:oz-upgrades-from RefV1
contract RefV2 {
    uint256 x;
}
""",
    "a/Plain.sol": P + "contract Plain { uint256 public y = 2; }\n",
}
ARITY = {
    "two": P + "/// @custom:oz-upgrades-from A B\ncontract C { }\ncontract A { }\ncontract B { }\n",
    "one": P + "/// @custom:oz-upgrades C\ncontract C { }\n",
}
NAMESPACES = {
    "duplicate": P + """contract Twice {
    /// @custom:storage-location erc7201:example.twice
    struct A { uint256 a; }
    /// @custom:storage-location erc7201:example.twice
    struct B { uint256 b; }
}
""",
    "outside": P + """/// @custom:storage-location erc7201:example.outside
struct Outside { uint256 a; }
contract UsesIt { }
""",
}


def folder_of(sources: dict[str, str], tmp: Path) -> Path:
    info = compile_to_build_info(sources, SETTINGS, CACHE)
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "build-info.json").write_text(json.dumps(info))
    return tmp


def openzeppelin(folder: Path) -> tuple[int, dict[str, bool], str]:
    env = {**os.environ, "FORCE_COLOR": "0", "NO_COLOR": "1"}
    proc = subprocess.run([str(OZ), "validate", str(folder)], capture_output=True, text=True, env=env, timeout=120)
    return proc.returncode, {m[2]: m[1] == "✔" for m in re.finditer(r"^ (✔|✘)  (\S+)", proc.stdout, re.MULTILINE)}, proc.stdout + proc.stderr


def ours(folder: Path) -> tuple[int, dict[str, Any], str]:
    proc = subprocess.run([str(UPGRADER), "check", "--build-info", str(folder), "--json"], capture_output=True, text=True, timeout=120)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout else {}, proc.stderr


def test_reported_contracts_match_openzeppelin_plus_references(tmp_path: Path) -> None:
    folder = folder_of(ASSESSED, tmp_path / "assessed")
    oz_code, theirs, oz_out = openzeppelin(folder)
    code, report, _ = ours(folder)
    verdicts = {c["contract"]: c["ok"] for c in report["contracts"]}
    assert theirs == {"a/Annotated.sol:Annotated": False, "a/Legacy.sol:Legacy": True, "a/Ref.sol:RefV2": True}, oz_out
    assert verdicts == {**theirs, "a/Ref.sol:RefV1": False}  # the reference is validated on its own
    assert code == oz_code == 1
    kinds = {c["contract"]: sorted(e["kind"] for e in c["errors"]) for c in report["contracts"]}
    assert kinds["a/Annotated.sol:Annotated"] == ["delegatecall", "selfdestruct"]
    assert kinds["a/Ref.sol:RefV1"] == ["selfdestruct"]


@pytest.mark.parametrize("case", sorted(ARITY))
def test_annotation_with_the_wrong_number_of_arguments(case: str, tmp_path: Path) -> None:
    folder = folder_of({f"arity/{case}.sol": ARITY[case]}, tmp_path / case)
    oz_code, _, oz_out = openzeppelin(folder)
    code, _, err = ours(folder)
    assert oz_code != 0 and "Invalid number of arguments" in oz_out
    assert code == 2 and "invalid number of arguments" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(("case", "kind", "theirs"), [
    ("duplicate", "namespace-duplicate", "is defined multiple times"),
    ("outside", "namespace-outside-contract", "is defined outside of a contract"),
])
def test_namespace_errors_stop_both(case: str, kind: str, theirs: str, tmp_path: Path) -> None:
    folder = folder_of({f"ns/{case}.sol": NAMESPACES[case]}, tmp_path / case)
    oz_code, _, oz_out = openzeppelin(folder)
    code, report, _ = ours(folder)
    assert oz_code == 1 and theirs in oz_out
    assert code == 1 and report["ok"] is False
    assert [e["kind"] for e in report["errors"]] == [kind]
    assert report["errors"][0]["location"] == f"ns/{case}.sol:{3 if case == 'outside' else 6}"
