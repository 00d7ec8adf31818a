"""A folder with two builds of the same contract from different sources (forge keeps the old
build-info after an incremental build) is refused, whatever the files are called."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from upgrader.cli.main import app

runner = CliRunner()
UNIT = "tests/checker/fixtures/Append_V2.sol"


def stale_copy(build_info: dict) -> dict:
    """The same build as it was before one line of Append_V2.sol changed."""
    old = json.loads(json.dumps(build_info))
    old["input"]["sources"][UNIT]["content"] += "\n// an older edit\n"
    return {"id": "stale", "_format": old.get("_format"), "input": old["input"], "output": old["output"], "solcVersion": "0.8.28"}


@pytest.mark.parametrize(("stale_name", "fresh_name"), [("0-stale.json", "1-fresh.json"), ("9-stale.json", "1-fresh.json")])
def test_stale_build_info_is_refused_in_any_file_order(
    fixtures_build_info: dict, tmp_path: Path, stale_name: str, fresh_name: str
) -> None:
    (tmp_path / fresh_name).write_text(json.dumps(fixtures_build_info))
    (tmp_path / stale_name).write_text(json.dumps(stale_copy(fixtures_build_info)))
    result = runner.invoke(app, ["check", "--build-info", str(tmp_path)])
    assert result.exit_code == 2, result.output
    message = result.stderr
    assert "stale build-info" in message and "Append_V2.sol:Append_V2" in message
    assert stale_name in message and fresh_name in message and "clean and rebuild" in message
    assert len(message.strip().splitlines()) == 1


def test_the_same_build_twice_is_not_stale(fixtures_build_info: dict, tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(fixtures_build_info))
    single = runner.invoke(app, ["check", "--build-info", str(tmp_path), "--json"])
    (tmp_path / "b.json").write_text(json.dumps(fixtures_build_info))
    double = runner.invoke(app, ["check", "--build-info", str(tmp_path), "--json"])
    assert (double.exit_code, json.loads(double.stdout)) == (single.exit_code, json.loads(single.stdout))


def test_hardhat3_split_build_info_reads_as_one(fixtures_build_info: dict, tmp_path: Path) -> None:
    """Hardhat 3 writes the compiler output to `<id>.output.json` beside `<id>.json`."""
    whole = tmp_path / "whole"
    whole.mkdir()
    (whole / "a.json").write_text(json.dumps(fixtures_build_info))
    split = tmp_path / "split"
    split.mkdir()
    main = {k: v for k, v in fixtures_build_info.items() if k != "output"}
    (split / "a.json").write_text(json.dumps({**main, "_format": "hh3-sol-build-info-1"}))
    (split / "a.output.json").write_text(json.dumps({"_format": "hh3-sol-build-info-output-1", "output": fixtures_build_info["output"]}))
    results = [runner.invoke(app, ["check", "--build-info", str(folder), "--json"]) for folder in (whole, split)]
    assert results[0].exit_code == results[1].exit_code == 1
    assert json.loads(results[0].stdout) == json.loads(results[1].stdout)
