"""`upgrader check` and `upgrader layout` end to end through typer's runner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from upgrader.cli.main import app

runner = CliRunner()


def run(*args: str | Path) -> Any:
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def test_check_json_schema_and_exit_code(fixtures_build_dir: Path) -> None:
    result = run("check", "--build-info", fixtures_build_dir, "--json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"ok", "errors", "contracts"} and data["ok"] is False and data["errors"] == []
    for entry in data["contracts"]:
        assert set(entry) == {"contract", "reference", "ok", "errors", "warnings"}
        for error in entry["errors"]:
            assert set(error) == {"kind", "message", "hint", "location"}


def test_check_one_passing_contract_exits_zero(fixtures_build_dir: Path) -> None:
    result = run("check", "--build-info", fixtures_build_dir, "--contract", "GapShrink_V2")
    assert result.exit_code in (0, 1)  # the unsafe-pattern validator may have its own say
    layout_errors = [line for line in result.output.splitlines() if "layout-" in line]
    assert layout_errors == []
    assert "✔" in result.output or "✘" in result.output


def test_check_explicit_reference(fixtures_build_dir: Path) -> None:
    result = run("check", "--build-info", fixtures_build_dir, "--contract", "Rename_V2", "--reference", "Append_V1", "--json")
    data = json.loads(result.stdout)
    (entry,) = data["contracts"]
    assert entry["reference"].endswith(":Append_V1")
    assert [e["kind"] for e in entry["errors"] if e["kind"].startswith("layout-")] == ["layout-rename"]


def test_unknown_contract_is_an_input_error(fixtures_build_dir: Path) -> None:
    result = run("check", "--build-info", fixtures_build_dir, "--contract", "Nope")
    assert result.exit_code == 2
    assert "unknown contract 'Nope'" in result.output
    assert "Traceback" not in result.output


def without_layouts(build_info: dict, settings_too: bool) -> dict:
    stripped = json.loads(json.dumps(build_info))
    for contracts in stripped["output"]["contracts"].values():
        for contract in contracts.values():
            contract.pop("storageLayout", None)
    if settings_too:
        for per_file in stripped["input"]["settings"]["outputSelection"].values():
            for outputs in per_file.values():
                if "storageLayout" in outputs:
                    outputs.remove("storageLayout")
    return stripped


def test_build_info_without_storage_layout_says_how_to_enable_it(fixtures_build_info: dict, tmp_path: Path) -> None:
    (tmp_path / "b.json").write_text(json.dumps(without_layouts(fixtures_build_info, settings_too=True)))
    result = run("check", "--build-info", tmp_path)
    assert result.exit_code == 2
    assert "extra_output" in result.output and "outputSelection" in result.output


def test_a_missing_layout_is_empty_when_the_build_asked_for_layouts(fixtures_build_info: dict, tmp_path: Path) -> None:
    """foundry-compilers leaves empty layouts out of the build-info; every layout missing while the
    settings ask for them reads as empty ones (so V2s that added variables "append" to nothing)."""
    (tmp_path / "b.json").write_text(json.dumps(without_layouts(fixtures_build_info, settings_too=False)))
    result = run("check", "--build-info", tmp_path, "--contract", "Append_V2", "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 1, result.output  # the build's duplicate namespace (NsDuplicate_V2) fails it
    assert [e["kind"] for e in data["errors"]] == ["namespace-duplicate"]
    assert data["contracts"][0]["ok"] is True
    assert data["contracts"][0]["reference"] == "tests/checker/fixtures/Append_V1.sol:Append_V1"


def test_unreadable_build_info_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_text("{not json")
    assert run("check", "--build-info", tmp_path).exit_code == 2
    assert run("check", "--build-info", tmp_path / "missing").exit_code == 2


def test_layout_show_table_and_json(fixtures_build_dir: Path) -> None:
    result = run("layout", "show", "NsPacked_V2", "--build-info", fixtures_build_dir)
    assert result.exit_code == 0, result.output
    assert "erc7201:fixtures.NsPacked" in result.output and "uint64" in result.output
    data = json.loads(run("layout", "show", "GapShrink_V2", "--build-info", fixtures_build_dir, "--json").stdout)
    assert [item["label"] for item in data["storage"]] == ["a", "x", "__gap", "c"]


def test_layout_diff(fixtures_build_dir: Path) -> None:
    ok = run("layout", "diff", "GapShrink_V1", "GapShrink_V2", "--build-info", fixtures_build_dir, "--json")
    assert ok.exit_code == 0
    assert [op["kind"] for op in json.loads(ok.stdout)["operations"]] == ["insert", "gap-resize"]
    bad = run("layout", "diff", "Insert_V1", "Insert_V2", "--build-info", fixtures_build_dir)
    assert bad.exit_code == 1 and "Inserted `x`" in bad.output
    # an appended variable is an ok operation the diff lists: said as what it is (seen on
    # fospring/openzeppelin-uups@e038a97, `layout diff UpgradableContract UpgradableContractV2`)
    appended = run("layout", "diff", "Append_V1", "Append_V2", "--build-info", fixtures_build_dir, "--json")
    assert appended.exit_code == 0
    assert [(op["kind"], op["ok"], op["message"]) for op in json.loads(appended.stdout)["operations"]] == [
        ("append", True, "Added `b` in Append_V2 at the end, at slot 1")]


def test_build_info_folder_with_hostile_files_exits_2_with_one_line(tmp_path: Path) -> None:
    """check --build-info reads through the input boundary (issue 15): a FIFO never hangs the
    check, nesting deeper than the decoder goes is one line naming the depth."""
    import os

    fifo_dir, deep_dir, array_dir = tmp_path / "fifo", tmp_path / "deep", tmp_path / "array"
    fifo_dir.mkdir(), deep_dir.mkdir(), array_dir.mkdir()
    os.mkfifo(fifo_dir / "a.json")
    deep = "[" * 100_000 + "]" * 100_000
    (deep_dir / "a.json").write_text('{"input": {}, "output": {"sources": {"A.sol": {"id": 0, "ast": %s}}}}' % deep)
    (array_dir / "a.json").write_text(deep)  # refused by its type before any nesting is read
    cases = ((fifo_dir, "named pipe"), (deep_dir, "nested 100004 levels"), (array_dir, "is not a build-info"))
    for folder, said in cases:
        result = run("check", "--build-info", folder)
        assert result.exit_code == 2, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and said in lines[0] and "Traceback" not in result.output
