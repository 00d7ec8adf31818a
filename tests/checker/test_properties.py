"""Hypothesis properties over generated layouts and over sub-builds of the fixtures."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker_fixtures import CASES
from upgrader.check.engine import check_contract
from upgrader.layout.asttypes import pack
from upgrader.layout.buildset import BuildSet
from upgrader.check.references import Ref
from upgrader.layout.compare import compare_layouts
from upgrader.layout.model import StorageItem, StorageLayout, TypeInfo

ELEMENTARY = {
    "uint8": 1, "uint16": 2, "uint64": 8, "uint128": 16, "uint256": 32, "int256": 32,
    "address": 20, "bool": 1, "bytes32": 32, "bytes4": 4,
}
TYPES: dict[str, TypeInfo] = {f"t_{label}": TypeInfo(f"t_{label}", "elementary", label, size) for label, size in ELEMENTARY.items()}
TYPES["t_mapping(t_address,t_uint256)"] = TypeInfo(
    "t_mapping(t_address,t_uint256)", "mapping", "mapping(address => uint256)", 32, key="t_address", value="t_uint256"
)
TYPES["t_array(t_uint64)3_storage"] = TypeInfo("t_array(t_uint64)3_storage", "array", "uint64[3]", 32, base="t_uint64", length=3)
TYPES["t_array(t_uint256)dyn_storage"] = TypeInfo("t_array(t_uint256)dyn_storage", "array", "uint256[]", 32, base="t_uint256")
TYPE_IDS = sorted(TYPES)


def layout_of(variables: list[tuple[str, str]]) -> StorageLayout:
    positions, _ = pack(TYPES[t] for _, t in variables)
    items = tuple(
        StorageItem("c.sol:C", label, slot, offset, TYPES[t].size, t, f"c.sol:{n + 1}")
        for n, ((label, t), (slot, offset)) in enumerate(zip(variables, positions))
    )
    return StorageLayout("c.sol:C", items, TYPES)


def variables(prefix: str, min_size: int = 0) -> st.SearchStrategy[list[tuple[str, str]]]:
    return st.lists(st.sampled_from(TYPE_IDS), min_size=min_size, max_size=30).map(
        lambda types: [(f"{prefix}{n}", t) for n, t in enumerate(types)]
    )


def errors(old: StorageLayout, new: StorageLayout) -> list[str]:
    return [op.kind for op in compare_layouts(old, new) if not op.ok]


@given(variables("v"))
def test_a_layout_compared_with_itself_has_no_operations(vs: list[tuple[str, str]]) -> None:
    layout = layout_of(vs)
    assert compare_layouts(layout, layout) == []


@given(variables("v"), variables("new", min_size=1))
def test_appending_never_errors(vs: list[tuple[str, str]], appended: list[tuple[str, str]]) -> None:
    assert errors(layout_of(vs), layout_of(vs + appended)) == []


@given(variables("v", min_size=1), st.data())
def test_deleting_any_variable_always_errors(vs: list[tuple[str, str]], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(vs) - 1))
    assert "delete" in errors(layout_of(vs), layout_of(vs[:index] + vs[index + 1 :]))


def _only(build_info: dict[str, Any], keep: set[str]) -> dict[str, Any]:
    """The build-info restricted to the source units in ``keep`` (ASTs and ids untouched)."""
    reduced = copy.copy(build_info)
    reduced["input"] = {**build_info["input"], "sources": {k: v for k, v in build_info["input"]["sources"].items() if k in keep}}
    output = build_info["output"]
    reduced["output"] = {
        **output,
        "sources": {k: v for k, v in output["sources"].items() if k in keep},
        "contracts": {k: v for k, v in output["contracts"].items() if k in keep},
    }
    return reduced


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(case=st.sampled_from(CASES), others=st.sets(st.sampled_from(CASES), max_size=6))
def test_verdict_does_not_depend_on_unrelated_contracts(
    case: str, others: set[str], fixtures_build_info: dict[str, Any], fixtures_builds: BuildSet
) -> None:
    def fqn(c: str, v: str) -> str:
        return f"tests/checker/fixtures/{c}_{v}.sol:{c}_{v}"

    full = check_contract(fixtures_builds, fqn(case, "V2"), Ref(fixtures_builds, fqn(case, "V1"), fqn(case, "V1")))
    keep = {fqn(c, v).rpartition(":")[0] for c in others | {case} for v in ("V1", "V2")}
    small = BuildSet.of(_only(fixtures_build_info, keep))
    alone = check_contract(small, fqn(case, "V2"), Ref(small, fqn(case, "V1"), fqn(case, "V1")))
    assert (alone.ok, alone.errors) == (full.ok, full.errors)
