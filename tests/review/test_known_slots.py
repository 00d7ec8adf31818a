"""The OpenZeppelin 5 namespaces sim.known_slots names: each root is the constant the
installed OpenZeppelin source writes out, and the role ids are keccak256 of their names."""

from __future__ import annotations

import re
from pathlib import Path

from upgrader.keccak import keccak
from upgrader.sim.known_slots import NAMESPACES, OZ_NAMESPACES, role_ids

OZ = Path(__file__).resolve().parents[2] / "node_modules" / "@openzeppelin"


def _constants() -> dict[str, int]:
    """namespace id -> the root its source file states, from every OpenZeppelin 5 file."""
    out = {}
    for path in [*(OZ / "contracts-upgradeable").rglob("*.sol"), OZ / "contracts" / "proxy" / "utils" / "Initializable.sol"]:
        text = path.read_text()
        for ns in re.findall(r"erc7201:(openzeppelin\.storage\.\w+)", text):
            m = re.search(r'keccak256\("' + re.escape(ns) + r'"\)\) - 1\)\) & ~bytes32\(uint256\(0xff\)\)\s*bytes32 (?:private|internal) constant \w+\s*=\s*(0x[0-9a-fA-F]{64})', text)
            if m:
                out[ns] = int(m.group(1), 16)
    return out


def test_every_root_is_the_one_openzeppelin_writes_out():
    stated = _constants()
    assert set(NAMESPACES) <= set(stated), set(NAMESPACES) - set(stated)
    assert {ns.id: ns.root for ns in OZ_NAMESPACES.namespaces} == {i: stated[i] for i in NAMESPACES}


def test_role_ids_are_keccak_of_their_names_and_the_builds_getters():
    abi = [{"type": "function", "name": "RENT_COLLECTOR_ROLE", "inputs": [], "outputs": [{"type": "bytes32"}]}]
    roles = role_ids([abi])
    assert roles[0] == "DEFAULT_ADMIN_ROLE"
    assert roles[int.from_bytes(keccak(b"RENT_COLLECTOR_ROLE"), "big")] == "RENT_COLLECTOR_ROLE"
    assert roles[int.from_bytes(keccak(b"UPGRADER_ROLE"), "big")] == "UPGRADER_ROLE"
