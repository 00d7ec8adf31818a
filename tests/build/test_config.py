"""upgrader's settings: one schema read from ape-config.yaml's `upgrader:` section or from
upgrader.toml; the same keys give the same settings; unknown keys are refused in one line
that names the key and where it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from upgrader import config as cfg
from upgrader.errors import InputError

NAMES = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,8}", fullmatch=True)
SCALARS = st.one_of(st.integers(-(2**63), 2**63 - 1), st.text("abcxyz019 ._-", max_size=8), st.booleans())
CALLS = st.fixed_dictionaries({"function": NAMES}, optional={"args": st.lists(SCALARS, max_size=3), "expect": SCALARS})
REINITIALIZERS = st.fixed_dictionaries({"function": NAMES}, optional={"args": st.lists(SCALARS, max_size=3),
                                                                     "changes": st.lists(NAMES, max_size=3)})
MODULES = st.fixed_dictionaries({"initial": NAMES}, optional={"target": NAMES, "reinitializer": REINITIALIZERS, "smoke": st.lists(CALLS, max_size=3)})
NETWORKS = st.fixed_dictionaries(
    {"rpc": st.sampled_from(["http://127.0.0.1:8545", "https://rpc.example.org/v1"])},
    optional={"chain_id": st.integers(1, 2**40), "tx_service": st.sampled_from(["local", "https://safe.example.org"])},
)
SECTIONS = st.fixed_dictionaries({}, optional={
    "networks": st.dictionaries(NAMES, NETWORKS, max_size=3),
    "modules": st.dictionaries(NAMES, MODULES, max_size=3),
})


def toml_value(value: Any) -> str:
    """A minimal TOML writer for the generated shapes (inline tables and arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"


def write_ape(root: Path, section: dict[str, Any]) -> Path:
    (root / "ape-config.yaml").write_text(yaml.safe_dump({"name": "p", "upgrader": section}))
    return root


def write_toml(root: Path, text: str, marker: str = "foundry.toml") -> Path:
    (root / marker).write_text("[profile.default]\n")
    (root / "upgrader.toml").write_text(text)
    return root


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(section=SECTIONS)
def test_yaml_and_toml_give_the_same_settings(tmp_path_factory: pytest.TempPathFactory, section: dict[str, Any]) -> None:
    a = cfg.load(write_ape(tmp_path_factory.mktemp("ape"), section))
    toml_text = "".join(f"{k} = {toml_value(v)}\n" for k, v in section.items())
    b = cfg.load(write_toml(tmp_path_factory.mktemp("foundry"), toml_text))
    assert a.networks == b.networks and a.modules == b.modules
    for name, m in section.get("modules", {}).items():
        module = a.modules[name]
        assert module.name == name and module.target == m.get("target", m["initial"])
        assert [c.function for c in module.smoke] == [c["function"] for c in m.get("smoke", [])]
    for name, n in section.get("networks", {}).items():
        assert a.networks[name].rpc == n["rpc"] and a.networks[name].chain_id == n.get("chain_id")


@pytest.mark.parametrize(("section", "expected"), [
    ({"networks": {"main": {"rpc": "http://x", "rcp": "y"}}}, "upgrader.networks.main: unknown key 'rcp'"),
    ({"modules": {"Vault": {"initial": "V", "smoke": [{"function": "f", "arg": [1]}]}}}, "upgrader.modules.Vault.smoke.0: unknown key 'arg'"),
    ({"modlues": {}}, "ape-config.yaml upgrader: unknown key 'modlues'"),
    ({"modules": {"Vault": {"proxy": 5}}}, "upgrader.modules.Vault.proxy: "),
    ({"networks": {"main": {"rpc": "http://x", "name": "other"}}}, "upgrader.networks.main: unknown key 'name'"),
    ({"root": "/elsewhere"}, "unknown key 'root'"),
    ({"networks": {"main": {"rpc": "http://x", "chain_id": "one"}}}, "upgrader.networks.main.chain_id: "),
])
def test_bad_settings_are_one_line_naming_the_key(tmp_path: Path, section: dict, expected: str) -> None:
    with pytest.raises(InputError) as err:
        cfg.load(write_ape(tmp_path, section))
    assert expected in str(err.value) and "\n" not in str(err.value)


def test_unknown_key_in_upgrader_toml_names_the_file(tmp_path: Path) -> None:
    write_toml(tmp_path, '[networks.sepolia]\nrpc = "https://x"\nchainid = 11155111\n')
    with pytest.raises(InputError, match=r"^upgrader.toml networks.sepolia: unknown key 'chainid'"):
        cfg.load(tmp_path)


def test_toml_tables_and_env_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_toml(tmp_path, """
deployments = "ops/deployments"
[networks.sepolia]
rpc = "https://rpc.example.org"
chain_id = 11155111
[modules.Vault]
initial = "Vault"
target = "VaultV2"
reinitializer = { function = "initializeV2", args = [5], changes = ["_roles", "VaultStorage.fee"] }
smoke = [{ function = "version", expect = "2" }]
""", marker="hardhat.config.ts")
    loaded = cfg.load(tmp_path)
    assert loaded.deployments == tmp_path / "ops" / "deployments"
    assert loaded.modules["Vault"].reinitializer == cfg.Reinitializer("initializeV2", (5,), ("_roles", "VaultStorage.fee"))
    assert loaded.network("sepolia").rpc == "https://rpc.example.org"
    monkeypatch.setenv("UPGRADER_RPC_SEPOLIA", "http://127.0.0.1:9999")
    monkeypatch.setenv("UPGRADER_DEPLOYMENTS", str(tmp_path / "elsewhere"))
    assert cfg.load(tmp_path).network("sepolia") == cfg.NetworkConfig("sepolia", "http://127.0.0.1:9999", 11155111, None)
    assert cfg.load(tmp_path).deployments == tmp_path / "elsewhere"
    with pytest.raises(InputError, match=r"unknown network 'main' \(known: sepolia\); add it under \[networks\] in upgrader.toml"):
        loaded.network("main")


def test_settings_in_two_places_are_refused(tmp_path: Path) -> None:
    write_ape(tmp_path, {"networks": {}})
    (tmp_path / "upgrader.toml").write_text("")
    with pytest.raises(InputError, match="both ape-config.yaml"):
        cfg.load(tmp_path)


def test_root_is_found_from_a_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_toml(tmp_path, '[networks.local]\nrpc = "http://127.0.0.1:8545"\n')
    (tmp_path / "src" / "deep").mkdir(parents=True)
    monkeypatch.setenv("UPGRADER_PROJECT", str(tmp_path / "src" / "deep"))
    assert cfg.load().root == tmp_path


def test_the_repository_settings_load() -> None:
    loaded = cfg.load(Path(__file__).resolve().parents[2])
    assert loaded.modules["RentVault"].reinitializer == cfg.Reinitializer("initializeV2", (500, 259200), ("_lateFeeBps", "_gracePeriod"))
    assert loaded.modules["AccessHub"].target == "AccessHub"
