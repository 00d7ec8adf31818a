"""Solidity's `layout at <slot>` (0.8.29+): a moved base slot is reported as that, once (issue 19),
not as the first variable having moved because "something before it changed size". Compiled with
solc 0.8.30 through the project's build machinery (installed on demand); upgrades-core fails the
same upgrades."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from checker_fixtures import CACHE, ROOT, FixtureSettings
from upgrader.build.project import compile_to_build_info
from upgrader.check.engine import check
from upgrader.layout.buildset import BuildSet

OZ = ROOT / "node_modules" / ".bin" / "openzeppelin-upgrades-core"
HEAD = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.29;\n"
PAIRS = {
    "Moved": ("layout at 0x10", "layout at 0x20", "uint256 a;\n    uint128 b;", "uint256 a;\n    uint128 b;"),
    "Added": ("", "layout at 32", "uint256 a;", "uint256 a;"),
    "Removed": ("layout at 1000", "", "uint256 a;", "uint256 a;"),
    "Kept": ("layout at 0x10", "layout at 16", "uint256 a;", "uint256 a;\n    uint256 c;"),
    "KeptInsert": ("layout at 0x10", "layout at 0x10", "uint256 a;\n    uint256 b;", "uint256 a;\n    uint256 x;\n    uint256 b;"),
    "MovedAndAppended": ("layout at 0x10", "layout at 0x30", "uint256 a;", "uint256 a;\n    uint256 c;"),
}


def source(case: str) -> str:
    before, after, old_vars, new_vars = PAIRS[case]
    return (
        HEAD
        + f"contract Base{case}_V1 {before} {{\n    {old_vars}\n}}\n\n"
        + f"/// @custom:oz-upgrades-from Base{case}_V1\ncontract Base{case}_V2 {after} {{\n    {new_vars}\n}}\n"
    )


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    info = compile_to_build_info({f"base/{case}.sol": source(case) for case in PAIRS}, FixtureSettings("0.8.30"), CACHE)
    folder = tmp_path_factory.mktemp("layout-base")
    (folder / "build-info.json").write_text(json.dumps(info))
    return info, folder


def errors_of(info: dict, case: str) -> list[dict]:
    report = check(BuildSet.of(info), f"base/{case}.sol:Base{case}_V2").to_json()
    return report["contracts"][0]["errors"]


@pytest.mark.parametrize(("case", "old", "new"), [("Moved", 16, 32), ("Added", 0, 32), ("Removed", 1000, 0), ("MovedAndAppended", 16, 48)])
def test_a_moved_base_is_one_error_saying_so(build: tuple[dict, Path], case: str, old: int, new: int) -> None:
    info, _ = build
    (error,) = errors_of(info, case)  # no `layout-moved` for the variables that moved with it
    assert error["kind"] == "layout-base-moved"
    assert f"moved from slot {old} to slot {new}" in error["message"] and "`layout at`" in error["message"]
    keep = f"`layout at {old:#x}`" if old else "the variables at slot 0 (no `layout at`)"
    assert error["hint"] == f"Keep {keep}; a new base needs the stored values moved there first"
    specified = f"contract Base{case}_V2" if case != "Removed" else f"contract Base{case}_V1"  # where a `layout at` is
    line = next(n for n, text in enumerate(source(case).splitlines(), 1) if text.startswith(specified))
    assert error["location"] == f"base/{case}.sol:{line}"


def test_the_same_base_written_otherwise_is_kept(build: tuple[dict, Path]) -> None:
    info, _ = build
    assert errors_of(info, "Kept") == []  # 0x10 and 16 are one slot; `c` is appended


def test_changes_under_a_kept_base_are_reported_at_their_slots(build: tuple[dict, Path]) -> None:
    info, _ = build
    (error,) = errors_of(info, "KeptInsert")
    assert error["kind"] == "layout-insert" and "at slot 17" in error["message"]


def test_upgrades_core_fails_the_same_upgrades(build: tuple[dict, Path]) -> None:
    _, folder = build
    env = {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"}
    out = subprocess.run([str(OZ), "validate", str(folder)], capture_output=True, text=True, env=env, timeout=120).stdout
    theirs = {m[2]: m[1] == "✔" for m in re.finditer(r"^ (✔|✘)  (\S+:\S+)", out, re.MULTILINE)}
    ours = {c["contract"]: c["ok"] for c in check(BuildSet.of(build[0])).to_json()["contracts"]}
    v2 = {f"base/{case}.sol:Base{case}_V2" for case in PAIRS}
    assert v2 <= set(theirs), out
    assert {k: ours[k] for k in v2} == {k: theirs[k] for k in v2}


def test_the_base_survives_the_stored_layout(build: tuple[dict, Path]) -> None:
    """A layout recorded in a manifest keeps its base, so a later upgrade is compared from it."""
    from upgrader.check.engine import compare_with_stored

    info, _ = build
    stored = BuildSet.of(info).layout("base/Moved.sol:BaseMoved_V1").to_json()
    assert stored["base"] == {"slot": "16", "location": "base/Moved.sol:3"}
    result = compare_with_stored(json.loads(json.dumps(stored)), info, "base/Moved.sol:BaseMoved_V2")
    assert [e.kind for e in result.errors] == ["layout-base-moved"]
