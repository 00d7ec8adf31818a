"""Exact kinds and locations for every fixture contract."""

from __future__ import annotations

from typing import Any

import pytest

from upgrader.errors import InputError
from upgrader.validate import validate_contract

F = "tests/validate/fixtures/"

# contract -> [(kind, "<file>:<line>")]; an empty list means the contract passes.
EXPECTED: dict[str, list[tuple[str, str]]] = {
    "Constructor.sol:Constructor_Bad": [("constructor", "Constructor.sol:9")],
    "Constructor.sol:Constructor_Modifier_Bad": [("constructor", "Constructor.sol:19")],
    "Constructor.sol:Constructor_Allowed": [],
    "Constructor.sol:Constructor_ContractAllowed": [],
    "Constructor.sol:Constructor_Empty_Ok": [],
    "Constructor.sol:Constructor_DisableInitializers_Bad": [("constructor", "Constructor.sol:46")],
    "Constructor.sol:Constructor_DisableInitializers_Allowed": [],
    "Constructor.sol:Constructor_Parent": [("constructor", "Constructor.sol:61")],
    "Constructor.sol:Constructor_Inherited_Bad": [("constructor", "Constructor.sol:61")],
    "StateVariables.sol:Immutable_Bad": [("state-variable-immutable", "StateVariables.sol:7")],
    "StateVariables.sol:Immutable_Allowed": [],
    "StateVariables.sol:Immutable_ContractAllowed": [],
    "StateVariables.sol:Assignment_Bad": [("state-variable-assignment", "StateVariables.sol:21")],
    "StateVariables.sol:Assignment_Allowed": [],
    "StateVariables.sol:Constant_Ok": [],
    "Opcodes.sol:Delegatecall_Direct_Bad": [("delegatecall", "Opcodes.sol:23")],
    "Opcodes.sol:Delegatecall_Internal_Bad": [("delegatecall", "Opcodes.sol:34")],
    "Opcodes.sol:Delegatecall_Library_Bad": [("delegatecall", "Opcodes.sol:8")],
    "Opcodes.sol:Delegatecall_Parent_Bad": [("delegatecall", "Opcodes.sol:47")],
    "Opcodes.sol:Delegatecall_UnusedInternal_Ok": [],
    "Opcodes.sol:Delegatecall_ParentInternal_Bad": [("delegatecall", "Opcodes.sol:56")],
    "Opcodes.sol:Delegatecall_Allowed": [],
    "Opcodes.sol:Delegatecall_LibraryAllowed": [],
    "Opcodes.sol:Delegatecall_ReachableAllowed": [],
    "Opcodes.sol:Delegatecall_CallerAllowed_Bad": [("delegatecall", "Opcodes.sol:8")],
    "Opcodes.sol:Delegatecall_ParentChain_Bad": [("delegatecall", "Opcodes.sol:125")],
    "Opcodes.sol:Delegatecall_VirtualOverride_Bad": [("delegatecall", "Opcodes.sol:144")],
    "Opcodes.sol:Selfdestruct_Bad": [("selfdestruct", "Opcodes.sol:101")],
    "Opcodes.sol:Selfdestruct_Allowed": [],
    "Opcodes.sol:Selfdestruct_ContractAllowed": [],
    "Linking.sol:ExternalLibrary_Bad": [("external-library-linking", "Linking.sol:20")],
    "Linking.sol:ExternalLibrary_Allowed": [],
    "Linking.sol:InternalLibrary_Ok": [],
    "FunctionStorage.sol:InternalFunctionStorage_Bad": [("internal-function-storage", "FunctionStorage.sol:7")],
    "FunctionStorage.sol:InternalFunctionStorage_Struct_Bad": [("internal-function-storage", "FunctionStorage.sol:13")],
    "FunctionStorage.sol:InternalFunctionStorage_Namespace_Bad": [
        ("internal-function-storage", "FunctionStorage.sol:22")
    ],
    "FunctionStorage.sol:InternalFunctionStorage_Mapping_Bad": [
        ("internal-function-storage", "FunctionStorage.sol:32")
    ],
    "FunctionStorage.sol:ExternalFunctionStorage_Ok": [],
    "Initializers.sol:Initializer_Ok": [],
    "Initializers.sol:MissingInitializer_Bad": [("missing-initializer", "Initializers.sol:38")],
    "Initializers.sol:MissingInitializer_Allowed": [],
    "Initializers.sol:MissingInitializerCall_Bad": [("missing-initializer-call", "Initializers.sol:44")],
    "Initializers.sol:MissingInitializerCall_Allowed": [],
    "Initializers.sol:DuplicateInitializerCall_Bad": [("duplicate-initializer-call", "Initializers.sol:59")],
    "Initializers.sol:DuplicateInitializerCall_Allowed": [],
    "Initializers.sol:InitializerOrder_Warning": [("incorrect-initializer-order", "Initializers.sol:76")],
    "Initializers.sol:Reinitializer_Ok": [],
    "Initializers.sol:Reinitializer_One_Bad": [("non-increasing-reinitializer", "Initializers.sol:96")],
    "Initializers.sol:Reinitializer_Duplicate_Bad": [("non-increasing-reinitializer", "Initializers.sol:104")],
    "Initializers.sol:Reinitializer_V3": [],
    "Initializers.sol:Reinitializer_NotIncreasing_Bad": [("non-increasing-reinitializer", "Initializers.sol:115")],
    "Initializers.sol:Reinitializer_Allowed": [],
    "Initializers.sol:ReinitializerOnly_Bad": [("missing-initializer", "Initializers.sol:124")],
    "Initializers.sol:ReinitializerOnly_Annotated_Ok": [],
    "UUPS.sol:UUPS_Ok": [],
    "UUPS.sol:UUPS_MissingDisableInitializers_Bad": [("missing-disable-initializers", "UUPS.sol:24")],
    "UUPS.sol:UUPS_MissingDisableInitializers_Allowed": [],
    "UUPS.sol:UUPS_UnprotectedAuthorize_Bad": [("unprotected-authorize-upgrade", "UUPS.sol:49")],
    "UUPS.sol:UUPS_UnprotectedAuthorize_Allowed": [],
    "UUPS.sol:UUPS_AuthorizeInBody_Ok": [],
    "UUPS.sol:UUPS_MissingUpgradeTo_Bad": [("missing-public-upgradeto", "UUPS.sol:81")],
    "UUPS.sol:UUPS_MissingUpgradeTo_Allowed": [],
    "UUPS.sol:UUPS_ConstructorInitializer_Ok": [],
    "UUPS.sol:UUPS_ConstructorInitializer_Reinitializer_Bad": [("missing-disable-initializers", "UUPS.sol:128")],
    "UUPS.sol:UUPS_ConstructorInitializer_ParentsUninitialized_Bad": [("missing-initializer-call", "UUPS.sol:147")],
}


def test_every_fixture_contract_has_expectations(fixture_contracts: list[str]) -> None:
    assert sorted(F + name for name in EXPECTED) == fixture_contracts


@pytest.mark.parametrize("contract", sorted(EXPECTED))
def test_kinds_and_locations(build_info: dict[str, Any], contract: str) -> None:
    findings = validate_contract(build_info, F + contract)
    assert [(f.kind, f.location) for f in findings] == [(kind, F + loc) for kind, loc in EXPECTED[contract]]


def test_every_rule_has_a_failing_fixture() -> None:
    from upgrader.validate import KNOWN_KINDS

    covered = {kind for found in EXPECTED.values() for kind, _ in found}
    assert covered == KNOWN_KINDS


def test_order_is_a_warning_not_an_error(build_info: dict[str, Any]) -> None:
    [finding] = validate_contract(build_info, F + "Initializers.sol:InitializerOrder_Warning")
    assert finding.severity == "warning"
    assert "`ParentB` out of order" in finding.message


def test_a_reinitializer_only_v2_is_told_of_the_validate_as_initializer_annotation(build_info: dict[str, Any]) -> None:
    # upgrades-core's note for a reinitializer (packages/core/src/validate/run/initializer.ts @ c616aa6)
    [finding] = validate_contract(build_info, F + "Initializers.sol:ReinitializerOnly_Bad")
    assert finding.kind == "missing-initializer" and finding.severity == "error"
    assert "`/// @custom:oz-upgrades-validate-as-initializer`" in finding.hint and "reinitializer(n)" in finding.hint
    assert validate_contract(build_info, F + "Initializers.sol:ReinitializerOnly_Annotated_Ok") == []  # annotated as it says


def test_missing_disable_initializers_says_what_an_owner_of_the_bare_implementation_can_do(build_info: dict[str, Any]) -> None:
    found = [f for f in validate_contract(build_info, F + "UUPS.sol:UUPS_MissingDisableInitializers_Bad") if f.kind == "missing-disable-initializers"]
    assert found and "take it over" not in found[0].hint
    assert "own it" in found[0].hint and "older than OpenZeppelin 4.3.2" in found[0].hint and "_disableInitializers()" in found[0].hint


def test_reachable_delegatecall_names_its_entry_point(build_info: dict[str, Any]) -> None:
    [finding] = validate_contract(build_info, F + "Opcodes.sol:Delegatecall_VirtualOverride_Bad")
    assert finding.message == "Use of delegatecall is not allowed (reachable from `HookCaller.run`)"


def test_cli_unsafe_allow_drops_exactly_that_kind(build_info: dict[str, Any]) -> None:
    contract = F + "Constructor.sol:Constructor_Bad"
    assert validate_contract(build_info, contract, frozenset({"delegatecall"}))
    assert validate_contract(build_info, contract, frozenset({"constructor"})) == []


def test_unknown_contract_is_an_input_error(build_info: dict[str, Any]) -> None:
    with pytest.raises(InputError, match="did you mean tests/validate/fixtures/Constructor.sol:Constructor_Bad"):
        validate_contract(build_info, "Constructor.sol:Constructor_Bad")


def test_unknown_unsafe_allow_kind_is_an_input_error(build_info: dict[str, Any]) -> None:
    with pytest.raises(InputError, match="unknown --unsafe-allow kind nonsense"):
        validate_contract(build_info, F + "Constructor.sol:Constructor_Bad", frozenset({"nonsense"}))


def test_a_constructor_initializer_is_named_constructor(build_info: dict[str, Any]) -> None:
    """solc gives a constructor no name: the message says `constructor`, not ``."""
    [finding] = validate_contract(build_info, F + "UUPS.sol:UUPS_ConstructorInitializer_ParentsUninitialized_Bad")
    assert finding.message == "`constructor` does not call the initializer of `OwnableUpgradeable`"
