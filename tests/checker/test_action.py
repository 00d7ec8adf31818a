"""The GitHub composite action (action.yml, tools/action/run.sh), run here as a runner runs it:
its `run` steps in order with bash as GitHub calls it, each with its `env` evaluated from the
inputs and the outputs earlier steps wrote to $GITHUB_OUTPUT, with $GITHUB_ACTION_PATH,
$RUNNER_TEMP and $GITHUB_STEP_SUMMARY set. Its `uses` steps are GitHub's own actions: setup-uv
is uv on PATH here, the cache steps restore and save nothing. The install step builds the lean
package into a fresh venv once (module fixture); the check runs on a build-info compiled here."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker_fixtures import ROOT
from upgrader.build.project import CompilerSettings, collect_sources, compile_to_build_info

ACTION = ROOT / "action.yml"
SCHEMAS = Path(__file__).parent / "schemas"  # SchemaStore's, see schemas/SOURCE.md
SARIF_SCHEMA = Path(__file__).parent / "sarif" / "sarif-schema-2.1.0.json"
UV_BIN = ROOT / ".venv" / "bin"  # where uv is (setup-uv puts it on PATH on a runner)
INITIALIZABLE = "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol"

HEADER = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n"
SOURCES = {
    "src/Vault_V1.sol": HEADER + "contract Vault_V1 {\n    uint256 total;\n    address owner;\n}\n",
    # a safe upgrade: appends
    "src/Vault_V2.sol": HEADER + "/// @custom:oz-upgrades-from Vault_V1\ncontract Vault_V2 {\n    uint256 total;\n    address owner;\n    uint256 added;\n}\n",
    # an unsafe one: inserts before `owner`
    "src/Broken_V2.sol": HEADER + "/// @custom:oz-upgrades-from Vault_V1\ncontract Broken_V2 {\n    uint256 total;\n    uint256 inserted;\n    address owner;\n}\n",
    # a warning: parent initializers called out of linearization order
    "src/Ordered.sol": HEADER + f'import {{Initializable}} from "{INITIALIZABLE}";\n'
    "abstract contract ParentA is Initializable {\n    uint256 a;\n    function __ParentA_init() internal onlyInitializing { a = 1; }\n}\n"
    "abstract contract ParentB is Initializable {\n    uint256 b;\n    function __ParentB_init() internal onlyInitializing { b = 2; }\n}\n"
    "contract Ordered is ParentA, ParentB {\n    function initialize() external initializer {\n"
    "        __ParentB_init();\n        __ParentA_init();\n    }\n}\n",
    # unsafe as well, but under test/: the workflow below excludes it
    "test/Mock_V2.sol": HEADER + "/// @custom:oz-upgrades-from Vault_V1\ncontract Mock_V2 {\n    address owner;\n}\n",
}


@pytest.fixture(scope="module")
def build_info(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dependency = collect_sources(ROOT, [INITIALIZABLE], [ROOT / "node_modules"])
    info = compile_to_build_info({**dependency, **SOURCES}, CompilerSettings("0.8.28"), ROOT / ".build" / "upgrader" / "test-action")
    folder = tmp_path_factory.mktemp("project") / "out" / "build-info"
    folder.mkdir(parents=True)
    (folder / f"{info['id']}.json").write_text(json.dumps(info))
    return folder


@dataclass
class Run:
    """What the steps of one run of the action did."""

    codes: dict[str, int] = field(default_factory=dict)  # step id -> exit code
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)  # step id -> $GITHUB_OUTPUT
    stdout: dict[str, str] = field(default_factory=dict)
    stderr: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    skipped: list[str] = field(default_factory=list)  # the `uses` steps

    @property
    def failed(self) -> str | None:
        return next((step for step, code in self.codes.items() if code != 0), None)


def action() -> dict[str, Any]:
    return yaml.safe_load(ACTION.read_text())


EXPRESSION = re.compile(r"\$\{\{\s*([a-z]+)\.([a-z0-9_-]+)(?:\.outputs\.([a-z0-9_-]+))?\s*\}\}")


def evaluate(text: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    """``${{ inputs.x }}`` and ``${{ steps.id.outputs.y }}``, the only expressions the steps' env uses."""

    def value(m: re.Match[str]) -> str:
        match m.group(1), m.group(3):
            case "inputs", None:
                return inputs[m.group(2)]
            case "steps", str(name):
                return outputs.get(m.group(2), {}).get(name, "")  # GitHub: an unset output is ''
        raise AssertionError(f"an expression the test does not evaluate: {m.group(0)}")

    return EXPRESSION.sub(value, text)


def run_action(given: dict[str, str], temp: Path, env: dict[str, str] | None = None, reuse: dict[str, dict[str, str]] | None = None, cwd: Path | None = None) -> Run:
    """The action's steps as a runner runs them; steps in ``reuse`` are not run, their outputs are taken."""
    spec = action()
    inputs = {name: str(given.get(name, meta.get("default", ""))) for name, meta in spec["inputs"].items()}
    assert set(given) <= set(inputs), "an input the action does not declare"
    temp.mkdir(parents=True, exist_ok=True)
    summary = temp / "step-summary.md"
    summary.touch()
    session = {k: v for k, v in os.environ.items() if k not in ("UPGRADER_CACHE_DIR", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "UV_CACHE_DIR")}
    base = {  # the session's caches and venv are not a runner's
        **session,
        "PATH": f"{UV_BIN}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(temp),
        "RUNNER_OS": "Linux",
        "UV_PYTHON": str(ROOT / ".venv" / "bin" / "python"),  # the runner's Python
        **(env or {}),
    }
    result = Run()
    for k, step in enumerate(spec["runs"]["steps"]):
        sid = step.get("id", f"step{k}")
        if result.failed and "always()" not in step.get("if", ""):
            continue
        if "uses" in step:
            result.skipped.append(step["uses"].split("@")[0])
            continue
        if reuse and sid in reuse:
            result.outputs[sid] = reuse[sid]
            continue
        assert step["shell"] == "bash" and "if" not in step
        out_file = temp / f"output-{sid}"
        out_file.write_text("")
        step_env = {name: evaluate(str(value), inputs, result.outputs) for name, value in step.get("env", {}).items()}
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],  # GitHub's bash
            env={**base, **step_env, "GITHUB_OUTPUT": str(out_file)},
            cwd=cwd, capture_output=True, text=True,
        )
        result.codes[sid], result.stdout[sid], result.stderr[sid] = proc.returncode, proc.stdout, proc.stderr
        result.outputs[sid] = dict(line.split("=", 1) for line in out_file.read_text().splitlines())
    result.summary = summary.read_text()
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, build_info: Path) -> tuple[Run, Path]:
    """One whole run of the action with its install step: the lean package in a fresh venv.

    uv's cache is the machine's (a workflow that sets UV_CACHE_DIR, as setup-uv does with its
    cache on), so the lock's wheels come from it."""
    temp = tmp_path_factory.mktemp("runner-temp")
    uv_cache = subprocess.run([str(UV_BIN / "uv"), "cache", "dir"], capture_output=True, text=True, check=True).stdout.strip()
    run = run_action({"build-info": str(build_info), "exclude": "test/**\n"}, temp, env={"UV_CACHE_DIR": uv_cache})
    assert run.codes["prepare"] == 0 and run.codes["install"] == 0, (run.stderr, run.stdout)
    assert run.outputs["prepare"]["uv-cache"] == uv_cache
    return run, temp


def test_the_install_step_installs_the_lean_package(installed: tuple[Run, Path]) -> None:
    from upgrader.cli.common.extras import CHAIN_MODULES

    run, temp = installed
    upgrader = Path(run.outputs["install"]["upgrader"])
    assert upgrader.parent.parent == temp / "upgrader-venv"
    code = "import importlib.util, sys; print([m for m in sys.argv[1:] if importlib.util.find_spec(m)])"
    present = subprocess.run([str(upgrader.parent / "python"), "-c", code, *sorted(CHAIN_MODULES), "upgrader", "pytest"], capture_output=True, text=True, check=True)
    assert present.stdout.strip() == "['upgrader']"  # no chain stack, no dev group


def test_the_action_is_a_composite_action_by_schemastore(build_info: Path) -> None:
    import jsonschema

    schema = json.loads((SCHEMAS / "github-action.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.Draft7Validator(schema).validate(action())
    spec = action()
    assert spec["runs"]["using"] == "composite"
    assert set(spec["inputs"]) == {"build-info", "exclude", "format", "fail-level"}
    broken = {**spec, "runs": {**spec["runs"], "steps": [{"run": "echo no shell"}]}}  # a run step needs its shell
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema).validate(broken)


def test_an_unsafe_upgrade_fails_the_step_with_annotations_summary_and_outputs(installed: tuple[Run, Path]) -> None:
    run, temp = installed
    assert run.failed == "check" and run.codes["check"] == 1
    assert "astral-sh/setup-uv" in run.skipped and "actions/cache/restore" in run.skipped
    annotations = [line for line in run.stdout["check"].splitlines() if line.startswith("::")]
    errors = [a for a in annotations if a.startswith("::error ")]
    warnings = [a for a in annotations if a.startswith("::warning ")]
    assert len(errors) == 1 and errors[0].startswith("::error file=src/Broken_V2.sol,line=6,title=upgrader check%3A layout-"), errors
    assert "src/Broken_V2.sol:Broken_V2 (upgrade from src/Vault_V1.sol:Vault_V1)" in errors[0]
    assert len(warnings) == 1 and "file=src/Ordered.sol" in warnings[0] and "incorrect-initializer-order" in warnings[0]
    assert "Mock_V2" not in run.stdout["check"] + run.summary  # excluded by the exclude input
    outputs = run.outputs["check"]
    assert {k: outputs[k] for k in ("exit-code", "contracts", "failed", "errors", "warnings")} == {
        "exit-code": "1", "contracts": "4", "failed": "1", "errors": "1", "warnings": "1",
    }
    assert Path(outputs["report"]).read_text() in run.stdout["check"]
    assert run.summary.startswith("### upgrader check: ❌ unsafe upgrade") and "`src/Broken_V2.sol:Broken_V2`" in run.summary
    assert list(Path(run.outputs["prepare"]["facts-cache"]).rglob("*.json")), "the check did not fill the facts cache the action caches"
    # every step output the action and its steps' env read is one the steps wrote
    spec = action()
    for text in [o["value"] for o in spec["outputs"].values()] + [str(v) for s in spec["runs"]["steps"] for v in (*s.get("env", {}).values(), *s.get("with", {}).values())]:
        for sid, name in re.findall(r"steps\.([a-z0-9_-]+)\.outputs\.([a-z0-9_-]+)", text):
            assert sid in ("uv-cache", "facts-cache") or name in run.outputs[sid], (sid, name)


@pytest.mark.parametrize(
    ("inputs", "step_code", "exit_code"),
    [
        ({"exclude": "test/**\nsrc/Broken_V2.sol"}, 0, "0"),  # a warning passes at fail-level error
        ({"exclude": "test/**\nsrc/Broken_V2.sol", "fail-level": "warning"}, 1, "0"),
        ({"exclude": "test/**\nsrc/Broken_V2.sol\nsrc/Ordered.sol", "fail-level": "warning"}, 0, "0"),
        ({"exclude": "test/**", "fail-level": "none"}, 0, "1"),  # reported, not failed
        ({"fail-level": "none"}, 0, "1"),
    ],
)
def test_the_fail_level_decides_the_step(installed: tuple[Run, Path], build_info: Path, tmp_path: Path, inputs: dict[str, str], step_code: int, exit_code: str) -> None:
    first, _ = installed
    run = run_action({"build-info": str(build_info), **inputs}, tmp_path, reuse={"install": first.outputs["install"]})
    assert run.codes["check"] == step_code, run.stderr["check"]
    assert run.outputs["check"]["exit-code"] == exit_code
    if "src/Broken_V2.sol" not in inputs.get("exclude", ""):
        assert "::error file=src/Broken_V2.sol" in run.stdout["check"]
    assert ("Mock_V2" in run.stdout["check"]) == ("test/**" not in inputs.get("exclude", ""))


def test_sarif_format_writes_a_valid_log_for_upload(installed: tuple[Run, Path], build_info: Path, tmp_path: Path) -> None:
    import jsonschema

    first, _ = installed
    run = run_action({"build-info": str(build_info), "exclude": "test/**", "format": "sarif"}, tmp_path, reuse={"install": first.outputs["install"]})
    assert run.codes["check"] == 1
    report = Path(run.outputs["check"]["report"])
    assert report.suffix == ".sarif" and report.parent == tmp_path
    log = json.loads(report.read_text())
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(log)
    assert sorted(r["ruleId"] for r in log["runs"][0]["results"]) == ["incorrect-initializer-order", "layout-insert"]
    assert not [line for line in run.stdout["check"].splitlines() if line.startswith("::")]
    assert "### upgrader check: ❌" in run.summary


def test_markdown_format_prints_the_table_once_in_the_summary(installed: tuple[Run, Path], build_info: Path, tmp_path: Path) -> None:
    first, _ = installed
    run = run_action({"build-info": str(build_info), "exclude": "test/**\nsrc/Broken_V2.sol", "format": "markdown"}, tmp_path, reuse={"install": first.outputs["install"]})
    assert run.codes["check"] == 0
    assert run.stdout["check"] == run.summary == Path(run.outputs["check"]["report"]).read_text()
    assert run.summary.count("### upgrader check: ✅ all upgradeable contracts pass") == 1


def refused(run: Run, step: str) -> str:
    assert run.failed == step and run.codes[step] == 2, (run.codes, run.stderr)
    (line,) = [line for line in run.stdout[step].splitlines() if line.startswith("::")]
    assert line.startswith("::error title=upgrader check::")
    assert "Traceback" not in run.stderr[step] and len(run.stderr[step].strip().splitlines()) == 1
    return line


@pytest.mark.parametrize(
    ("inputs", "says"),
    [
        ({"format": "xml"}, "format must be github, sarif, markdown or text (not 'xml')"),
        ({"fail-level": "warnings"}, "fail-level must be error, warning or none (not 'warnings')"),
        ({"build-info": "nowhere/build-info"}, "nowhere/build-info is not a folder; build first"),
    ],
)
def test_a_wrong_input_stops_before_the_install(tmp_path: Path, inputs: dict[str, str], says: str) -> None:
    run = run_action(inputs, tmp_path, cwd=tmp_path)
    assert says in refused(run, "prepare")
    assert "install" not in run.codes


def test_an_empty_build_info_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out" / "build-info").mkdir(parents=True)
    run = run_action({}, tmp_path / "temp", cwd=tmp_path)
    assert "holds no build-info JSON file" in refused(run, "prepare")


def test_an_unreadable_build_info_is_one_error_line(installed: tuple[Run, Path], tmp_path: Path) -> None:
    first, _ = installed
    folder = tmp_path / "build-info"
    folder.mkdir()
    (folder / "broken.json").write_text('{"id": "x", "output": ')
    run = run_action({"build-info": str(folder)}, tmp_path / "temp", reuse={"install": first.outputs["install"]})
    line = refused(run, "check")
    assert "broken.json" in line and "error:" not in line.split("::", 2)[2]
    assert "exit-code" not in run.outputs["check"]


def test_the_facts_key_follows_the_build_info_bytes(build_info: Path, tmp_path: Path) -> None:
    first = run_action({"build-info": str(build_info)}, tmp_path / "a", reuse={"install": {}, "check": {}})
    copy = tmp_path / "copy"
    copy.mkdir()
    (source,) = build_info.glob("*.json")
    (copy / source.name).write_bytes(source.read_bytes().replace(b"Vault_V1", b"Vault_V9"))
    second = run_action({"build-info": str(copy)}, tmp_path / "b", reuse={"install": {}, "check": {}})
    a, b = first.outputs["prepare"], second.outputs["prepare"]
    assert a["facts-key"] != b["facts-key"] and a["uv-key"] == b["uv-key"]
    assert a["facts-key"].startswith(a["facts-restore-key"]) and b["facts-key"].startswith(b["facts-restore-key"])
    assert a["uv-cache"] == str(tmp_path / "a" / "upgrader-uv-cache")  # no UV_CACHE_DIR: the runner's temp


def test_the_readme_workflow_uses_the_action_as_declared() -> None:
    """README's workflow with the action: its `with` are inputs action.yml has, its outputs ones it sets."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("**The GitHub action.**"):readme.index("**pre-commit.**")]
    (block,) = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    steps = yaml.safe_load(block)["jobs"]["upgrade-safety"]["steps"]
    (step,) = [s for s in steps if s.get("uses") == "./upgrader"]
    spec = action()
    assert set(step["with"]) <= set(spec["inputs"])
    assert step["with"]["build-info"] == spec["inputs"]["build-info"]["default"]
    for used in re.findall(r"steps\.upgrader\.outputs\.([a-z-]+)", block):
        assert used in spec["outputs"]
