"""upgrader reads foundry.toml as forge does: for generated profiles (both key spellings,
a selected profile over `default`, FOUNDRY_<KEY> variables over both, versions that cap
the EVM version) the settings equal what `forge config --json` resolves, and the remappings (remappings.txt, foundry.toml, the
libraries' auto-detected ones) equal `forge remappings` when upgrader works without forge."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_helpers import FORGE, copy_fixture
from upgrader.build.projects import foundry
from upgrader.errors import InputError

FORKS = [name for name, _ in foundry.FORKS if name not in ("homestead", "tangerineWhistle", "spuriousDragon", "byzantium", "constantinople", "petersburg")]
LAYERS = st.fixed_dictionaries({}, optional={
    "solc": st.sampled_from(["0.8.4", "0.8.17", "0.8.20", "0.8.24", "0.8.26", "0.8.28", "0.8.30"]),
    "optimizer": st.booleans(),
    "optimizer_runs": st.integers(0, 2**32 - 1),
    "evm_version": st.sampled_from(FORKS),
    "via_ir": st.booleans(),
    "bytecode_hash": st.sampled_from(["ipfs", "none", "bzzr1"]),
    "cbor_metadata": st.booleans(),
    "use_literal_content": st.booleans(),
    "src": st.sampled_from(["src", "contracts"]),
})


def toml(profile: dict[str, Any], kebab: bool) -> str:
    lines = []
    for key, value in profile.items():
        key = key.replace("_", "-") if kebab and key != "solc" else key
        lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def forge_config(root: Path, profile: str) -> dict[str, Any]:
    env = {**os.environ, "FOUNDRY_PROFILE": profile}
    proc = subprocess.run([str(FORGE), "config", "--json"], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


ENV_KEYS = ("FOUNDRY_OPTIMIZER_RUNS", "FOUNDRY_OPTIMIZER", "FOUNDRY_EVM_VERSION", "FOUNDRY_SOLC", "FOUNDRY_VIA_IR")
ENVIRONMENT = st.fixed_dictionaries({}, optional={
    "FOUNDRY_OPTIMIZER_RUNS": st.integers(0, 10**6).map(str), "FOUNDRY_OPTIMIZER": st.sampled_from(["true", "false"]),
    "FOUNDRY_EVM_VERSION": st.sampled_from(FORKS), "FOUNDRY_SOLC": st.sampled_from(["0.8.19", "0.8.27"]),
    "FOUNDRY_VIA_IR": st.sampled_from(["true", "false"]),
})


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(default=LAYERS, ci=LAYERS, use_ci=st.booleans(), kebab=st.booleans(), environment=ENVIRONMENT)
def test_profile_settings_equal_forge_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
                                             default: dict, ci: dict, use_ci: bool, kebab: bool, environment: dict) -> None:
    root = tmp_path_factory.mktemp("cfg")
    default = {"solc": "0.8.28", **default}
    (root / "foundry.toml").write_text(f"[profile.default]\n{toml(default, kebab)}\n[profile.ci]\n{toml(ci, kebab)}")
    name = "ci" if use_ci else "default"
    monkeypatch.setenv("FOUNDRY_PROFILE", name)
    for key in ENV_KEYS:  # monkeypatch lasts the whole test, across examples
        monkeypatch.delenv(key, raising=False)
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    theirs = forge_config(root, name)
    profile = foundry.read_profile(root)
    ours = foundry.settings_for(profile, str(profile["solc"]), None, ())
    assert ours.version == theirs["solc"]
    assert (ours.optimize, ours.runs, ours.via_ir) == (theirs["optimizer"], theirs["optimizer_runs"], theirs["via_ir"])
    assert ours.evm_version == theirs["evm_version"]
    assert ours.metadata == {"useLiteralContent": theirs["use_literal_content"], "bytecodeHash": theirs["bytecode_hash"],
                             "appendCBOR": theirs["cbor_metadata"]}
    assert profile["src"] == theirs["src"]


def forge_remappings(root: Path) -> list[str]:
    proc = subprocess.run([str(FORGE), "remappings"], cwd=root, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


LIB_LAYOUTS = st.lists(st.tuples(
    st.sampled_from(["src", "contracts", "flat", "contracts/sub", "multi", "none"]),
    st.sampled_from(["lib", "node_modules", "node_modules/@scope"]),
), min_size=1, max_size=4)


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=LIB_LAYOUTS, extra=st.lists(st.sampled_from(["a=lib/p0", "@b/=lib/p1/src/", "ctx:c/=node_modules/m/"]), unique=True, max_size=2))
def test_remappings_without_forge_equal_forge_remappings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
                                                         layout: list[tuple[str, str]], extra: list[str]) -> None:
    root = tmp_path_factory.mktemp("rm")
    (root / "src").mkdir()
    (root / "foundry.toml").write_text(f'[profile.default]\nlibs = ["lib", "node_modules"]\nremappings = {json.dumps(extra[:1])}\n')
    (root / "remappings.txt").write_text("\n".join(extra[1:]) + "\n")
    for i, (shape, where) in enumerate(layout):
        package = root / where / f"p{i}"
        for folder in {"flat": [""], "multi": ["access", "token"], "none": []}.get(shape, [shape]):
            (package / folder).mkdir(parents=True, exist_ok=True)
            (package / folder / "A.sol").write_text("// x\n")
        package.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("UPGRADER_FORGE", "none")
    ours = foundry.remappings(root, foundry.read_profile(root))
    assert list(ours) == forge_remappings(root)


def test_fixture_remappings_equal_forge_remappings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_fixture(tmp_path / "p")
    theirs = forge_remappings(project)
    assert list(foundry.remappings(project, foundry.read_profile(project))) == theirs  # forge's own answer
    monkeypatch.setenv("UPGRADER_FORGE", "none")
    assert list(foundry.remappings(project, foundry.read_profile(project))) == theirs  # upgrader's reading
    monkeypatch.delenv("UPGRADER_FORGE")
    (project / "lib" / "solady" / "src").mkdir(parents=True)  # a new library: forge is asked again
    (project / "lib" / "solady" / "src" / "S.sol").write_text("// x\n")
    with (project / "remappings.txt").open("a") as f:
        f.write("@new/=lib/mathlib/src/\n")
    again = list(foundry.remappings(project, foundry.read_profile(project)))
    assert again == forge_remappings(project) and "@new/=lib/mathlib/src/" in again and "solady/=lib/solady/src/" in again


def test_unknown_profile_and_bad_evm_version_are_input_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "foundry.toml").write_text('[profile.default]\nevm_version = "london2"\n')
    monkeypatch.setenv("FOUNDRY_PROFILE", "ci")
    with pytest.raises(InputError, match=r"FOUNDRY_PROFILE=ci but .* has no \[profile.ci\]"):
        foundry.read_profile(tmp_path)
    monkeypatch.delenv("FOUNDRY_PROFILE")
    with pytest.raises(InputError, match="unknown evm_version 'london2'"):
        foundry.settings_for(foundry.read_profile(tmp_path), "0.8.28", None, ())
