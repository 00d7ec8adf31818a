"""Annotation handling on edited copies of a compiled fixture (no recompile needed)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from upgrader.errors import InputError
from upgrader.validate import index_for, validate_contract

F = "tests/validate/fixtures/"
CONTRACT = F + "Constructor.sol:Constructor_Bad"


def with_constructor_doc(build_info: dict[str, Any], text: str) -> dict[str, Any]:
    edited = copy.deepcopy(build_info)
    contract = index_for(edited).contract(CONTRACT)
    [constructor] = [n for n in contract["nodes"] if n.get("kind") == "constructor"]
    constructor["documentation"] = {"id": 10**9, "nodeType": "StructuredDocumentation", "src": constructor["src"], "text": text}
    return edited


@pytest.mark.parametrize(
    "text",
    [
        "@custom:oz-upgrades-unsafe-allow constructor",
        "@custom:oz-upgrades-unsafe-allow-reachable constructor",
        "@custom:upgrader-unsafe-allow constructor",
        "@custom:oz-upgrades-unsafe-allow delegatecall\n constructor",
        "@dev why\n@custom:oz-upgrades-unsafe-allow missing-disable-initializers constructor",
    ],
)
def test_constructor_annotations_allow(build_info: dict[str, Any], text: str) -> None:
    assert validate_contract(build_info, CONTRACT)
    assert validate_contract(with_constructor_doc(build_info, text), CONTRACT) == []


@pytest.mark.parametrize(
    "text",
    [
        "@custom:oz-upgrades-unsafe-allow delegatecall",
        "@custom:oz-upgrades-unsafe-allow\nconstructor",  # OpenZeppelin needs the kind on the tag's line
        "@custom:oz-upgrades-unsafe-allow delegatecall\n@dev constructor",
        "@notice constructor",
    ],
)
def test_other_text_does_not_allow(build_info: dict[str, Any], text: str) -> None:
    kinds = [f.kind for f in validate_contract(with_constructor_doc(build_info, text), CONTRACT)]
    assert kinds == ["constructor"]


def test_unknown_kind_in_annotation_is_an_input_error_with_its_location(build_info: dict[str, Any]) -> None:
    edited = with_constructor_doc(build_info, "@custom:oz-upgrades-unsafe-allow constructr")
    with pytest.raises(InputError, match=r"Constructor.sol:9: @custom:oz-upgrades-unsafe-allow argument not recognized: constructr"):
        validate_contract(edited, CONTRACT)
