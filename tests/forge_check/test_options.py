"""OpenZeppelin's validate options, in both spellings, against `upgrades-core validate` on the
same forge build-info: the same verdicts, and a refusal where OpenZeppelin refuses (it ends
with a thrown error, exit 1; we exit 2 with one line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from forge_project import openzeppelin, upgrader


def same(folder: Path, ours_args: list[str], oz_args: list[str]) -> dict[str, bool]:
    oz_code, theirs, oz_out = openzeppelin(folder, *oz_args)
    code, ours, report = upgrader(folder, *ours_args)
    assert theirs, oz_out
    assert (code, ours) == (oz_code, theirs), (report, oz_out)
    return ours


def test_exclude(forge_build_info: Path) -> None:
    ours = same(forge_build_info, ["--exclude", "src/mocks/**", "--exclude", "src/Annotated.sol"],
                ["--exclude", "src/mocks/**", "--exclude", "src/Annotated.sol"])
    assert "src/mocks/MockProxyTarget.sol:MockProxyTarget" not in ours and "src/Annotated.sol:Annotated" not in ours
    assert "src/Vault.sol:VaultV1" in ours


@pytest.mark.parametrize("flag", ["--unsafe-allow-renames", "--unsafeAllowRenames"])
def test_unsafe_allow_renames(forge_build_info: Path, flag: str) -> None:
    ours = same(forge_build_info, ["--contract", "VaultV2Renamed", flag], ["--contract", "VaultV2Renamed", "--unsafeAllowRenames"])
    assert ours == {"src/VaultV2Renamed.sol:VaultV2Renamed": True}
    assert same(forge_build_info, ["--contract", "VaultV2Renamed"], ["--contract", "VaultV2Renamed"]) == {
        "src/VaultV2Renamed.sol:VaultV2Renamed": False
    }


@pytest.mark.parametrize("flag", ["--unsafe-skip-storage-check", "--unsafeSkipStorageCheck"])
def test_unsafe_skip_storage_check(forge_build_info: Path, flag: str) -> None:
    ours = same(forge_build_info, ["--contract", "VaultV2Insert", flag], ["--contract", "VaultV2Insert", "--unsafeSkipStorageCheck"])
    assert ours == {"src/VaultV2Insert.sol:VaultV2Insert": True}
    # the skip is about layouts only: unsafe code still fails
    assert same(forge_build_info, ["--contract", "VaultV2NoUUPS", flag], ["--contract", "VaultV2NoUUPS", "--unsafeSkipStorageCheck"]) == {
        "src/VaultV2NoUUPS.sol:VaultV2NoUUPS": False
    }


@pytest.mark.parametrize("flag", ["--require-reference", "--requireReference"])
def test_require_reference(forge_build_info: Path, flag: str) -> None:
    assert same(forge_build_info, ["--contract", "VaultV2", flag], ["--contract", "VaultV2", "--requireReference"]) == {
        "src/VaultV2.sol:VaultV2": True
    }
    oz_code, _, oz_out = openzeppelin(forge_build_info, "--contract", "Token", "--requireReference")
    code, _, report = upgrader(forge_build_info, "--contract", "Token", flag)
    assert oz_code != 0 and "does not specify what contract it upgrades from" in oz_out
    assert code == 2 and "does not say what it upgrades from" in report["error"]
    # without --contract both refuse the option
    oz_code, _, oz_out = openzeppelin(forge_build_info, "--requireReference")
    code, _, report = upgrader(forge_build_info, flag)
    assert oz_code != 0 and code == 2 and "--contract" in report["error"]


@pytest.mark.parametrize("option", ["--reference-build-info", "--referenceBuildInfoDirs"])
def test_reference_build_info(forge_build_info: Path, previous_release: Path, option: str) -> None:
    for contract, reference, verdict in (
        ("VaultV2", "previous:VaultV1", True),
        ("VaultV2Insert", "previous:src/Vault.sol:VaultV1", False),
    ):
        args = ["--contract", contract, "--reference", reference]
        oz_code, theirs, oz_out = openzeppelin(forge_build_info, *args, "--referenceBuildInfoDirs", str(previous_release))
        code, ours, report = upgrader(forge_build_info, *args, option, str(previous_release))
        assert (code, ours) == (oz_code, theirs), (report, oz_out)
        assert list(ours.values()) == [verdict]
        assert report["contracts"][0]["reference"] == "previous:src/Vault.sol:VaultV1"
        assert "(upgrades from previous:src/Vault.sol:VaultV1)" in oz_out
    # an unknown folder name is refused by both
    oz_code, _, _ = openzeppelin(forge_build_info, "--contract", "VaultV2", "--reference", "older:VaultV1", "--referenceBuildInfoDirs", str(previous_release))
    code, _, report = upgrader(forge_build_info, "--contract", "VaultV2", "--reference", "older:VaultV1", option, str(previous_release))
    assert oz_code != 0 and code == 2 and "could not find contract older:VaultV1" in report["error"]


def test_unsafe_allow_camel_case(forge_build_info: Path) -> None:
    ours = same(forge_build_info, ["--contract", "Annotated", "--unsafeAllow", "selfdestruct"], ["--contract", "Annotated", "--unsafeAllow", "selfdestruct"])
    assert ours == {"src/Annotated.sol:Annotated": True}
