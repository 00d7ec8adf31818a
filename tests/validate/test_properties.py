"""Properties over generated input: unsafe-allow sets, annotation text, --unsafe-allow strings."""

from __future__ import annotations

import re
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from upgrader.errors import InputError
from upgrader.validate import ACCEPTED_KINDS, parse_unsafe_allow, validate_contract
from upgrader.solc_ast.natspec import annotation_args
from upgrader.validate.annotations import ALLOW, ALLOW_REACHABLE

from .conftest import load_build_info

F = "tests/validate/fixtures/"
# contracts with several findings of different kinds, so subsets matter
MIXED = [
    F + "Constructor.sol:Constructor_Bad",
    F + "Opcodes.sol:Delegatecall_CallerAllowed_Bad",
    F + "Initializers.sol:DuplicateInitializerCall_Bad",
    F + "Initializers.sol:InitializerOrder_Warning",
    F + "UUPS.sol:UUPS_MissingDisableInitializers_Bad",
    F + "UUPS.sol:UUPS_MissingUpgradeTo_Bad",
]
kinds = st.frozensets(st.sampled_from(sorted(ACCEPTED_KINDS)))


BAD = sorted(
    F + name
    for name in (
        "Opcodes.sol:Delegatecall_ParentChain_Bad",
        "FunctionStorage.sol:InternalFunctionStorage_Struct_Bad",
        "Linking.sol:ExternalLibrary_Bad",
        "StateVariables.sol:Immutable_Bad",
        "Initializers.sol:Reinitializer_NotIncreasing_Bad",
        "UUPS.sol:UUPS_UnprotectedAuthorize_Bad",
    )
)


@settings(max_examples=200, deadline=None)
@given(allow=kinds, contract=st.sampled_from(MIXED + BAD))
def test_unsafe_allow_suppresses_exactly_those_kinds(allow: frozenset[str], contract: str) -> None:
    build_info = load_build_info()
    everything = validate_contract(build_info, contract)
    assert everything, "a property over a contract without findings cannot fail"
    assert validate_contract(build_info, contract, allow) == [f for f in everything if f.kind not in allow]


@given(chosen=st.lists(st.sampled_from(sorted(ACCEPTED_KINDS))), pad=st.sampled_from(["", " ", "  "]))
def test_unsafe_allow_text_round_trips(chosen: list[str], pad: str) -> None:
    assert parse_unsafe_allow(",".join(pad + k + pad for k in chosen)) == frozenset(chosen)


@given(word=st.from_regex(r"[a-z][a-z-]{0,20}", fullmatch=True).filter(lambda w: w not in ACCEPTED_KINDS))
def test_unknown_unsafe_allow_kind_is_rejected(word: str) -> None:
    with pytest.raises(InputError):
        parse_unsafe_allow(f"constructor,{word}")


# -- annotation text: our parser against a port of OpenZeppelin's block regex -------------------

_OZ_BLOCK = re.compile(
    r"^\s*(?:@(?P<title>\w+)(?::(?P<tag>[a-z][a-z-]*))? )?(?P<args>(?:(?!^\s*@\w+)[\s\S])*)", re.M | re.A
)


def oz_annotation_args(doc: str, tag: str) -> list[str]:
    """OpenZeppelin's ``getAnnotationArgs`` (utils/annotations), transcribed as the oracle."""
    out: list[str] = []
    position = 0
    while position <= len(doc):
        match = _OZ_BLOCK.search(doc, position)
        if match is None:
            break
        if match["title"] == "custom" and match["tag"] == tag and match["args"].strip():
            out += match["args"].strip().split()
        position = match.end() + 1 if match.end() == match.start() else match.end()
    return out


words = st.sampled_from(["delegatecall", "selfdestruct", "constructor", "text", "@dev", "x"])
tags = st.sampled_from([ALLOW, ALLOW_REACHABLE, "oz-upgrades-from", "storage-location", "oz-upgrades-unsafe"])
line = st.one_of(
    st.builds(lambda t, a, sep: f"@custom:{t}{sep}{' '.join(a)}", tags, st.lists(words, max_size=3),
              st.sampled_from([" ", "  ", "", "\t"])),
    st.builds(lambda a: "@notice " + " ".join(a), st.lists(words, max_size=3)),
    st.builds(lambda a, indent: indent + " ".join(a), st.lists(words, max_size=3), st.sampled_from(["", " ", "   "])),
)


@settings(max_examples=300)
@given(lines=st.lists(line, max_size=6), tag=st.sampled_from([ALLOW, ALLOW_REACHABLE]))
def test_annotation_args_match_openzeppelin(lines: list[str], tag: str) -> None:
    doc = "\n".join(lines)
    assert annotation_args(doc, tag) == oz_annotation_args(doc, tag)


def test_annotation_examples() -> None:
    doc = "@dev hi\n@custom:oz-upgrades-unsafe-allow constructor\n  delegatecall\n@custom:oz-upgrades-unsafe-allow selfdestruct"
    assert annotation_args(doc, ALLOW) == ["constructor", "delegatecall", "selfdestruct"]
    assert annotation_args(doc, ALLOW_REACHABLE) == []
    assert annotation_args("@custom:oz-upgrades-unsafe-allow-reachable delegatecall", ALLOW) == []
