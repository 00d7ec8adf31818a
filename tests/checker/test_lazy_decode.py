"""The checker's cold read of a build-info (issue 19): bodies left unread until a rule reads one,
reachability walks skipped for call types the build does not hold. Either must give the facts
of the whole AST, decoded as any JSON reader would, and the errors it would give."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from checker_fixtures import CACHE, SETTINGS
from upgrader.build.project import compile_to_build_info
from upgrader.check.extract import extract
from upgrader.check.load import open_build
from upgrader.cli.main import app
from upgrader.layout.buildset import BuildSet
from upgrader.solc_ast.bodies import Unread, body
from upgrader.solc_ast.buildinfo import ABSENT_CALL_TYPES, CALL_TYPES

HEADER = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n"

# delegatecall and selfdestruct, reached from an initializer through a library and a base
UNSAFE = HEADER + """
library Calls {
    function forward(address target, bytes memory data) internal returns (bytes memory) {
        (bool ok, bytes memory out) = target.delegatecall(data);
        require(ok);
        return out;
    }
}
abstract contract Base {
    bool private done;
    function _kill(address payable to) internal { selfdestruct(to); }
    function _setUp() internal { done = true; }
}
/// @custom:oz-upgrades
contract Unsafe is Base {
    uint256 public value;
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() { value = 1; }
    function initialize(address target) external { _setUp(); Calls.forward(target, ""); }
    function stop() external { _kill(payable(msg.sender)); }
}
"""

# no delegatecall or selfdestruct anywhere, and an allow annotation with a kind nobody knows
MISSPELT = HEADER + """
/// @custom:oz-upgrades
contract Misspelt {
    uint256 public value;
    /// @custom:oz-upgrades-unsafe-allow delegatecal
    function set(uint256 v) external { value = v; _touch(); }
    function _touch() internal {}
}
"""


def build_folder(tmp_path: Path, name: str, source: str) -> Path:
    info = compile_to_build_info({f"lazy/{name}.sol": source}, SETTINGS, CACHE)
    folder = tmp_path / name
    folder.mkdir()
    (folder / "build.json").write_text(json.dumps(info))
    return folder


def eager_facts(path: Path) -> dict[str, Any]:
    """The facts of the build-info decoded whole by the standard JSON reader."""
    return extract(BuildSet.of(json.loads(path.read_text())))


@pytest.mark.parametrize("source", [UNSAFE, MISSPELT.replace("delegatecal", "delegatecall")], ids=["unsafe", "clean"])
def test_facts_of_the_lazy_read_are_those_of_the_whole_ast(tmp_path: Path, source: str) -> None:
    path = build_folder(tmp_path, "b", source) / "build.json"
    assert extract(open_build(path)) == eager_facts(path)


def test_fixture_facts_of_the_lazy_read_are_those_of_the_whole_ast(fixtures_build_dir: Path) -> None:
    (path,) = fixtures_build_dir.glob("*.json")
    assert extract(open_build(path)) == eager_facts(path)


def test_bodies_stay_unread_until_a_rule_asks(tmp_path: Path) -> None:
    path = build_folder(tmp_path, "u", UNSAFE) / "build.json"
    build = open_build(path)
    unsafe = build.node("lazy/u.sol:Unsafe")
    stop = next(n for n in unsafe["nodes"] if n.get("name") == "stop")
    assert type(stop["body"]) is Unread
    statements = body(stop)["statements"]
    assert statements[0]["nodeType"] == "ExpressionStatement" and stop["body"] is body(stop)


def test_call_types_absent_from_the_text_are_named(tmp_path: Path) -> None:
    unsafe = open_build(build_folder(tmp_path, "a", UNSAFE) / "build.json").builds[0].info
    clean = open_build(build_folder(tmp_path, "c", MISSPELT) / "build.json").builds[0].info
    assert unsafe[ABSENT_CALL_TYPES] == frozenset()
    assert clean[ABSENT_CALL_TYPES] == frozenset(CALL_TYPES)


def test_unsafe_calls_are_still_found(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", "--build-info", str(build_folder(tmp_path, "f", UNSAFE)), "--json"])
    assert result.exit_code == 1, result.output
    (entry,) = json.loads(result.stdout)["contracts"]
    assert {e["kind"] for e in entry["errors"]} >= {"delegatecall", "selfdestruct"}


def test_a_misspelt_allow_kind_is_an_error_where_no_call_type_occurs(tmp_path: Path) -> None:
    """The walk that reads the annotation is skipped for a build without delegatecall; the
    annotation is still read, and refused, as OpenZeppelin refuses it."""
    result = CliRunner().invoke(app, ["check", "--build-info", str(build_folder(tmp_path, "m", MISSPELT))])
    assert result.exit_code == 2, result.output
    assert "argument not recognized: delegatecal" in result.output
