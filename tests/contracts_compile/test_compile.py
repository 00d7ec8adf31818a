"""The project's contracts compile and follow the upgrade-safety conventions the tool relies on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from upgrader.build.project import project_build_info

IMPLEMENTATION_DIRS = ("contracts/v1/", "contracts/v2/")
NAMESPACED = {"contracts/v1/PropertyRegistry.sol": "PropertyRegistry", "contracts/v2/PropertyRegistryV2.sol": "PropertyRegistryV2"}
GAPPED = {
    "contracts/v1/AccessHub.sol": "AccessHub",
    "contracts/v1/RentVault.sol": "RentVault",
    "contracts/v2/RentVaultV2.sol": "RentVaultV2",
}


@pytest.fixture(scope="module")
def output() -> dict[str, Any]:
    return project_build_info()["output"]


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _implementations(output: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for source, unit in output["sources"].items():
        if not source.startswith(IMPLEMENTATION_DIRS):
            continue
        for node in unit["ast"]["nodes"]:
            if node.get("nodeType") == "ContractDefinition" and node["contractKind"] == "contract" and not node["abstract"]:
                found.append((source, node))
    return found


def _storage(output: dict[str, Any], source: str, name: str) -> list[dict[str, Any]]:
    return output["contracts"][source][name]["storageLayout"]["storage"]


def _erc7201_slot(namespace: str) -> int:
    from eth_utils import keccak

    inner = int.from_bytes(keccak(text=namespace), "big") - 1
    return int.from_bytes(keccak(inner.to_bytes(32, "big")), "big") & ~0xFF


def test_every_implementation_disables_initializers_in_its_constructor(output: dict[str, Any]) -> None:
    implementations = _implementations(output)
    names = {node["name"] for _, node in implementations}
    assert {"AccessHub", "PropertyRegistry", "RentVault", "PropertyRegistryV2", "RentVaultV2"} <= names
    for source, contract in implementations:
        constructors = [n for n in contract["nodes"] if n.get("nodeType") == "FunctionDefinition" and n["kind"] == "constructor"]
        assert len(constructors) == 1, f"{source}:{contract['name']} has no constructor"
        calls = {
            n["expression"].get("name")
            for n in _walk(constructors[0]["body"])
            if n.get("nodeType") == "FunctionCall" and n["expression"].get("nodeType") == "Identifier"
        }
        assert "_disableInitializers" in calls, f"{source}:{contract['name']} constructor does not call _disableInitializers()"
        doc = (constructors[0].get("documentation") or {}).get("text", "")
        assert "@custom:oz-upgrades-unsafe-allow constructor" in doc


@pytest.mark.parametrize("source,name", sorted(NAMESPACED.items()))
def test_namespaced_module_has_no_sequential_state(output: dict[str, Any], source: str, name: str) -> None:
    assert _storage(output, source, name) == []
    text = output["sources"][source]["ast"]
    structs = [n for n in _walk(text) if n.get("nodeType") == "StructDefinition" and n["name"] == "RegistryStorage"]
    doc = (structs[0].get("documentation") or {}).get("text", "")
    match = re.search(r"@custom:storage-location erc7201:(\S+)", doc)
    assert match, "RegistryStorage lacks its @custom:storage-location annotation"
    constants = [
        n for n in _walk(text)
        if n.get("nodeType") == "VariableDeclaration" and n.get("name") == "REGISTRY_STORAGE_LOCATION"
    ]
    literal = int(constants[0]["value"]["value"], 16)
    assert literal == _erc7201_slot(match.group(1)), "the slot literal does not match the ERC-7201 formula"


@pytest.mark.parametrize("source,name", sorted(GAPPED.items()))
def test_sequential_module_ends_in_a_gap(output: dict[str, Any], source: str, name: str) -> None:
    storage = _storage(output, source, name)
    assert storage and storage[-1]["label"] == "__gap"


def _end_slot(output: dict[str, Any], source: str, name: str) -> int:
    storage = _storage(output, source, name)
    types = output["contracts"][source][name]["storageLayout"]["types"]
    last = storage[-1]
    return int(last["slot"]) + int(types[last["type"]]["numberOfBytes"]) // 32


def test_v2_vault_keeps_v1_prefix_and_total_size(output: dict[str, Any]) -> None:
    v1 = _storage(output, "contracts/v1/RentVault.sol", "RentVault")
    v2 = _storage(output, "contracts/v2/RentVaultV2.sol", "RentVaultV2")
    key = lambda item: (item["label"], item["slot"], item["offset"])  # noqa: E731
    assert [key(i) for i in v2[: len(v1) - 1]] == [key(i) for i in v1[:-1]]
    assert _end_slot(output, "contracts/v1/RentVault.sol", "RentVault") == _end_slot(
        output, "contracts/v2/RentVaultV2.sol", "RentVaultV2"
    )
