"""Our per-contract verdict against OpenZeppelin's ``upgrades-core validate`` on the same
build-info. They must agree wherever OpenZeppelin has the rule; every disagreement is listed
below with the reason (all of them: we fail a contract OpenZeppelin passes)."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from upgrader.validate import index_for, validate_contract

from .conftest import ROOT

OZ_CLI = ROOT / "node_modules" / ".bin" / "openzeppelin-upgrades-core"
F = "tests/validate/fixtures/"

STRICTER_THAN_OZ = {
    # rules OpenZeppelin does not have
    "Initializers.sol:Reinitializer_One_Bad": "non-increasing-reinitializer",
    "Initializers.sol:Reinitializer_Duplicate_Bad": "non-increasing-reinitializer",
    "Initializers.sol:Reinitializer_NotIncreasing_Bad": "non-increasing-reinitializer",
    "UUPS.sol:UUPS_MissingDisableInitializers_Bad": "missing-disable-initializers",
    "UUPS.sol:UUPS_ConstructorInitializer_Reinitializer_Bad": "missing-disable-initializers",
    "UUPS.sol:UUPS_UnprotectedAuthorize_Bad": "unprotected-authorize-upgrade",
    # OpenZeppelin infers UUPS only from upgradeTo/upgradeToAndCall, so it never reports this
    # one unless the reference contract is UUPS; we infer UUPS from proxiableUUID()
    "UUPS.sol:UUPS_MissingUpgradeTo_Bad": "missing-public-upgradeto",
    # OpenZeppelin skips internal functions of bases even when a base's public function calls them
    "Opcodes.sol:Delegatecall_ParentChain_Bad": "delegatecall",
    # OpenZeppelin follows a virtual call to the declaration, not to the override that runs
    "Opcodes.sol:Delegatecall_VirtualOverride_Bad": "delegatecall",
    # OpenZeppelin looks for function types in mapping values only behind a struct
    "FunctionStorage.sol:InternalFunctionStorage_Mapping_Bad": "internal-function-storage",
}


def with_link_references(build_info: dict[str, Any]) -> dict[str, Any]:
    """OpenZeppelin reads ``evm.bytecode.linkReferences``, which our compile does not request
    (yet); derive it from the ``__$<hash>$__`` placeholders in the bytecode."""
    from Crypto.Hash import keccak

    info = copy.deepcopy(build_info)
    index = index_for(build_info)
    libraries = {
        keccak.new(digest_bits=256, data=fqn.encode()).hexdigest()[:34]: fqn.rsplit(":", 1)
        for fqn, node in index.contracts.items()
        if node["contractKind"] == "library"
    }
    for contracts in info["output"]["contracts"].values():
        for compiled in contracts.values():
            bytecode = compiled["evm"]["bytecode"]
            refs: dict[str, dict[str, list[dict[str, int]]]] = {}
            for match in re.finditer(r"__\$([0-9a-f]{34})\$__", bytecode["object"]):
                unit, name = libraries[match[1]]
                refs.setdefault(unit, {}).setdefault(name, []).append({"start": match.start() // 2, "length": 20})
            bytecode.setdefault("linkReferences", refs)
    return info


def oz_verdicts(build_info: dict[str, Any], folder: Path) -> dict[str, bool]:
    (folder / "build-info.json").write_text(json.dumps(with_link_references(build_info)))
    env = {**os.environ, "FORCE_COLOR": "0", "NO_COLOR": "1"}
    run = subprocess.run([str(OZ_CLI), "validate", str(folder)], capture_output=True, text=True, env=env, cwd=ROOT)
    verdicts = {m[2]: m[1] == "✔" for m in re.finditer(r"^ (✔|✘)  (\S+)", run.stdout, re.MULTILINE)}
    assert verdicts, f"could not parse OpenZeppelin's output:\n{run.stdout}\n{run.stderr}"
    return verdicts


@pytest.fixture(scope="module")
def oz(build_info: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, bool]:
    if not OZ_CLI.exists():
        pytest.fail(f"{OZ_CLI} is missing; run `make install`")
    return oz_verdicts(build_info, tmp_path_factory.mktemp("oz-build-info"))


def test_same_contracts_are_validated(oz: dict[str, bool], fixture_contracts: list[str]) -> None:
    assert sorted(c for c in oz if c.startswith(F)) == fixture_contracts


def test_verdicts_agree_except_where_we_are_stricter(
    build_info: dict[str, Any], oz: dict[str, bool], fixture_contracts: list[str]
) -> None:
    ours = {
        c: not any(f.severity == "error" for f in validate_contract(build_info, c)) for c in fixture_contracts
    }
    disagreements = {c.removeprefix(F): (ours[c], oz[c]) for c in fixture_contracts if ours[c] != oz[c]}
    assert disagreements == {c: (False, True) for c in STRICTER_THAN_OZ}


def test_stricter_cases_fail_for_the_stated_kind(build_info: dict[str, Any]) -> None:
    for contract, kind in STRICTER_THAN_OZ.items():
        assert kind in {f.kind for f in validate_contract(build_info, F + contract)}, contract
