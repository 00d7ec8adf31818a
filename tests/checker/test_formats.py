"""`--format github` (GitHub Actions workflow commands) and `--format markdown` (a PR comment)
carry every finding of the JSON report, and the same exit code."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from upgrader.cli.main import app

runner = CliRunner()
# GitHub's workflow command: ::error file={name},line={line},title={title}::{message}
COMMAND = re.compile(r"^::(error|warning) file=([^,:]+),(?:line=(\d+),)?title=([^:]+)::(.+)$")


def report_of(folder: Path) -> tuple[int, dict]:
    result = runner.invoke(app, ["check", "--build-info", str(folder), "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_github_annotations_one_per_finding(fixtures_build_dir: Path) -> None:
    code, report = report_of(fixtures_build_dir)
    result = runner.invoke(app, ["check", "--build-info", str(fixtures_build_dir), "--format", "github"])
    assert result.exit_code == code == 1
    *commands, summary = result.stdout.strip().splitlines()
    parsed = [COMMAND.match(line) for line in commands]
    assert all(parsed), [c for c, p in zip(commands, parsed) if not p]
    expected = [
        (e["location"].rpartition(":")[0], e["location"].rpartition(":")[2], e["kind"])
        for e in report["errors"]
    ] + [
        (e["location"].rpartition(":")[0], e["location"].rpartition(":")[2], e["kind"])
        for c in report["contracts"]
        for e in c["errors"] + c["warnings"]
    ]
    assert [(m[2], m[3], m[4].removeprefix("upgrader check%3A ")) for m in parsed if m] == expected
    assert "upgradeable contracts checked" in summary


def test_markdown_table_has_every_contract_and_hint(fixtures_build_dir: Path) -> None:
    code, report = report_of(fixtures_build_dir)
    result = runner.invoke(app, ["check", "--build-info", str(fixtures_build_dir), "--format", "markdown"])
    assert result.exit_code == code
    text = result.stdout
    assert "| Contract | Reference | Verdict | Findings |" in text
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == len(report["contracts"])
    for contract, row in zip(report["contracts"], rows):
        assert f"`{contract['contract']}`" in row and ("✅" if contract["ok"] else "❌") in row
        for finding in contract["errors"]:
            assert f"`{finding['kind']}`" in row and finding["hint"].replace("|", "\\|") in row


def test_json_and_another_format_is_a_usage_error(fixtures_build_dir: Path) -> None:
    result = runner.invoke(app, ["check", "--build-info", str(fixtures_build_dir), "--json", "--format", "github"])
    assert result.exit_code == 2 and "--json and --format github" in result.stderr
    result = runner.invoke(app, ["check", "--build-info", str(fixtures_build_dir), "--format", "html"])
    assert result.exit_code == 2 and "unknown --format 'html'" in result.stderr


SARIF_SCHEMA = Path(__file__).parent / "sarif" / "sarif-schema-2.1.0.json"  # OASIS's, see sarif/SOURCE.md


def test_sarif_is_valid_sarif_2_1_0_with_one_result_per_finding(fixtures_build_dir: Path) -> None:
    import jsonschema

    code, report = report_of(fixtures_build_dir)
    result = runner.invoke(app, ["check", "--build-info", str(fixtures_build_dir), "--format", "sarif"])
    assert result.exit_code == code == 1
    log = json.loads(result.stdout)
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(log)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["tool"]["driver"]["name"] == "upgrader"
    expected = [(None, e) for e in report["errors"]] + [
        (c["contract"], e) for c in report["contracts"] for e in c["errors"] + c["warnings"]
    ]
    assert len(run["results"]) == len(expected) > 40
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(dict.fromkeys(e["kind"] for _, e in expected))
    for sarif, (contract, finding) in zip(run["results"], expected):
        assert sarif["ruleId"] == finding["kind"] == rules[sarif["ruleIndex"]]["id"]
        assert sarif["level"] == "error"
        assert finding["message"] in sarif["message"]["text"] and finding["hint"] in sarif["message"]["text"]
        assert sarif["properties"]["hint"] == finding["hint"] and sarif["properties"].get("contract") == contract
        (location,) = sarif["locations"]
        source, _, line = finding["location"].rpartition(":")
        assert location["physicalLocation"]["artifactLocation"]["uri"] == source
        assert location["physicalLocation"].get("region", {}).get("startLine") == (int(line) if int(line) else None)


def test_a_passing_check_is_a_sarif_log_without_results(tmp_path: Path) -> None:
    import jsonschema

    from checker_fixtures import CACHE, SETTINGS
    from upgrader.build.project import compile_to_build_info

    source = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n/// @custom:oz-upgrades\ncontract Box { uint256 a; }\n"
    info = compile_to_build_info({"a/Box.sol": source}, SETTINGS, CACHE)
    (tmp_path / "b.json").write_text(json.dumps(info))
    result = runner.invoke(app, ["check", "--build-info", str(tmp_path), "--format", "sarif"])
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(log)
    assert result.exit_code == 0 and log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []
