"""Value types as OpenZeppelin judges them (issue 19), each rule against `upgrades-core validate`
on the same build-info, compiled by solc through the project's build machinery.

A user-defined value type swapped for its own underlying type, in either direction and also as a
mapping key or value or an array element, and `address` <-> `address payable` (or a contract
type <-> `address payable`) are bad upgrades there ("Bad upgrade from Price to uint128") and
here; `@custom:oz-retyped-from` allows them in both. Beyond OpenZeppelin: a value type replaced
by one of the same size over another underlying type (`uint128` -> `int128`) is our own error."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from checker_fixtures import CACHE, ROOT, SETTINGS, fixture_sources
from upgrader.build.project import compile_to_build_info
from upgrader.check.engine import check
from upgrader.layout.buildset import BuildSet

OZ = ROOT / "node_modules" / ".bin" / "openzeppelin-upgrades-core"
# case -> the line OpenZeppelin prints under the variable, or None where it passes
OPENZEPPELIN_REJECTS = {
    "UdvtToUnderlying": "Bad upgrade from PriceTU_V1 to uint128",
    "UnderlyingToUdvt": "Bad upgrade from uint128 to PriceUT_V2",
    "UdvtMappingKey": "Bad upgrade from KeyMK_V1 to uint128",
    "UdvtMappingValue": "Bad upgrade from PriceMV_V1 to uint128",
    "UdvtArrayElement": "Bad upgrade from PriceAE_V1 to uint128",
    "AddressToPayable": "Bad upgrade from address to address payable",
    "PayableToAddress": "Bad upgrade from address payable to address",
    "ContractToPayable": "Bad upgrade from contract ITokenCP_V1 to address payable",
    "UdvtRetyped": None,
    "PayableRetyped": None,
    "UdvtSameBase": None,
    "UdvtBaseRetyped": None,
}
OWN_RULE = "UdvtSameSize"  # type Price_V1 is uint128 -> type Price_V2 is int128
CASES = sorted([*OPENZEPPELIN_REJECTS, OWN_RULE])


def v2(case: str) -> str:
    return f"tests/checker/fixtures/{case}_V2.sol:{case}_V2"


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], dict[str, dict]]:
    """(OpenZeppelin's block of output per V2 contract, our result per V2 contract)."""
    if not OZ.exists():
        pytest.fail(f"{OZ} is missing; run `make install`")
    sources = {unit: text for unit, text in fixture_sources().items() if Path(unit).name.split("_")[0] in CASES}
    info = compile_to_build_info(sources, SETTINGS, CACHE)
    folder = tmp_path_factory.mktemp("value-types")
    (folder / "build-info.json").write_text(json.dumps(info))
    env = {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"}
    out = subprocess.run([str(OZ), "validate", str(folder)], capture_output=True, text=True, env=env, timeout=120).stdout
    theirs = {m[1]: m[0] for m in re.findall(r"^( (?:✔|✘)  (\S+:\S+).*?)(?=^ (?:✔|✘) |^FAILED|^SUCCESS|\Z)", out, re.MULTILINE | re.DOTALL)}
    ours = {c["contract"]: c for c in check(BuildSet.of(info)).to_json()["contracts"]}
    assert set(theirs) == {v2(case) for case in CASES}, out
    return theirs, ours


@pytest.mark.parametrize("case", sorted(OPENZEPPELIN_REJECTS))
def test_the_verdict_and_the_reason_are_openzeppelins(case: str, both: tuple[dict, dict]) -> None:
    theirs, ours = both
    block, result = theirs[v2(case)], ours[v2(case)]
    expected = OPENZEPPELIN_REJECTS[case]
    assert block.lstrip().startswith("✘" if expected else "✔"), block
    assert result["ok"] is (expected is None), result
    if expected is not None:
        assert expected in block
        (error,) = result["errors"]
        assert error["kind"] == "layout-typechange"
        assert expected.lower() in error["message"].lower()
        assert "Keep the" in error["hint"]


def test_a_value_type_over_another_base_of_the_same_size_is_our_own_error(both: tuple[dict, dict]) -> None:
    theirs, ours = both
    assert theirs[v2(OWN_RULE)].lstrip().startswith("✔")  # OpenZeppelin compares value types by size only
    (error,) = ours[v2(OWN_RULE)]["errors"]
    assert error["kind"] == "layout-typechange"
    assert "Price_V1 over uint128 became Price_V2 over int128" in error["message"]
    assert error["location"] == "tests/checker/fixtures/UdvtSameSize_V2.sol:8"
