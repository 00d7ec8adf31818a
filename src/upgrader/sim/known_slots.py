"""Storage every OpenZeppelin 5 contract places at the same ERC-7201 roots, as one layout of
namespaces only, so the one decoder (``sim.storage.LayoutFields``) names those slots on any
contract, built here or not: ``InitializableStorage._initialized``, ``OwnableStorage._owner``,
``AccessControlStorage._roles[<role>].hasRole[<account>]``, ...

Structs and namespace ids follow @openzeppelin/contracts-upgradeable 5.7.0 (npm, the version
package.json installs): access/OwnableUpgradeable.sol, access/Ownable2StepUpgradeable.sol,
access/AccessControlUpgradeable.sol, access/extensions/AccessControlDefaultAdminRulesUpgradeable.sol,
utils/PausableUpgradeable.sol, token/ERC20/ERC20Upgradeable.sol, and @openzeppelin/contracts
5.7.0 proxy/utils/Initializable.sol. The roots are computed with ERC-7201's formula
(``layout.namespaces.erc7201_root``); tests/review/test_known_slots.py holds them equal to the
constants those files write out.

Role ids: mapping keys the decoder tries are values seen in the transaction; role ids are
added from the build's ABIs (a ``FOO_ROLE()`` getter is, by OpenZeppelin's convention,
``keccak256("FOO_ROLE")``) and from a short list of common names. A guess that is wrong
names nothing: a slot is named only when its keccak matches."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from upgrader.keccak import keccak
from upgrader.layout.model import Member, Namespace, StorageItem, StorageLayout, TypeInfo
from upgrader.layout.namespaces import erc7201_root

CONTRACT = "@openzeppelin/contracts-upgradeable@5"

_TYPES = {t.id: t for t in (
    TypeInfo("t_address", "elementary", "address", 20),
    TypeInfo("t_bool", "elementary", "bool", 1),
    TypeInfo("t_uint48", "elementary", "uint48", 6),
    TypeInfo("t_uint64", "elementary", "uint64", 8),
    TypeInfo("t_uint256", "elementary", "uint256", 32),
    TypeInfo("t_bytes32", "elementary", "bytes32", 32),
    TypeInfo("t_string", "string", "string", 32),
    TypeInfo("t_map_ab", "mapping", "mapping(address => bool)", 32, key="t_address", value="t_bool"),
    TypeInfo("t_map_au", "mapping", "mapping(address => uint256)", 32, key="t_address", value="t_uint256"),
    TypeInfo("t_map_aau", "mapping", "mapping(address => mapping(address => uint256))", 32, key="t_address", value="t_map_au"),
    TypeInfo("t_role", "struct", "struct AccessControlUpgradeable.RoleData", 64,
             members=(Member("hasRole", "t_map_ab", 0, 0), Member("adminRole", "t_bytes32", 1, 0))),
    TypeInfo("t_map_role", "mapping", "mapping(bytes32 => struct AccessControlUpgradeable.RoleData)", 32,
             key="t_bytes32", value="t_role"),
)}

# namespace id -> (struct name, [(member, type id, slot offset, byte offset)])
NAMESPACES: dict[str, tuple[str, list[tuple[str, str, int, int]]]] = {
    "openzeppelin.storage.Initializable": ("Initializable.InitializableStorage", [
        ("_initialized", "t_uint64", 0, 0), ("_initializing", "t_bool", 0, 8)]),
    "openzeppelin.storage.Ownable": ("OwnableUpgradeable.OwnableStorage", [("_owner", "t_address", 0, 0)]),
    "openzeppelin.storage.Ownable2Step": ("Ownable2StepUpgradeable.Ownable2StepStorage", [("_pendingOwner", "t_address", 0, 0)]),
    "openzeppelin.storage.AccessControl": ("AccessControlUpgradeable.AccessControlStorage", [("_roles", "t_map_role", 0, 0)]),
    "openzeppelin.storage.AccessControlDefaultAdminRules": (
        "AccessControlDefaultAdminRulesUpgradeable.AccessControlDefaultAdminRulesStorage", [
            ("_pendingDefaultAdmin", "t_address", 0, 0), ("_pendingDefaultAdminSchedule", "t_uint48", 0, 20),
            ("_currentDelay", "t_uint48", 0, 26), ("_currentDefaultAdmin", "t_address", 1, 0),
            ("_pendingDelay", "t_uint48", 1, 20), ("_pendingDelaySchedule", "t_uint48", 1, 26)]),
    "openzeppelin.storage.Pausable": ("PausableUpgradeable.PausableStorage", [("_paused", "t_bool", 0, 0)]),
    "openzeppelin.storage.ERC20": ("ERC20Upgradeable.ERC20Storage", [
        ("_balances", "t_map_au", 0, 0), ("_allowances", "t_map_aau", 1, 0), ("_totalSupply", "t_uint256", 2, 0),
        ("_name", "t_string", 3, 0), ("_symbol", "t_string", 4, 0)]),
}

COMMON_ROLES = ("DEFAULT_ADMIN_ROLE", "ADMIN_ROLE", "MINTER_ROLE", "BURNER_ROLE", "PAUSER_ROLE", "UPGRADER_ROLE",
                "OPERATOR_ROLE", "MANAGER_ROLE", "GUARDIAN_ROLE", "KEEPER_ROLE", "ORACLE_ROLE", "SNAPSHOT_ROLE",
                "URI_SETTER_ROLE", "PROPOSER_ROLE", "EXECUTOR_ROLE", "CANCELLER_ROLE", "TIMELOCK_ADMIN_ROLE")


def _namespace(ns_id: str, struct: str, members: list[tuple[str, str, int, int]]) -> Namespace:
    root = erc7201_root(ns_id)
    items = tuple(StorageItem(CONTRACT, label, root + slot, offset, _TYPES[t].size, t) for label, t, slot, offset in members)
    return Namespace(ns_id, root, CONTRACT, struct, items)


OZ_NAMESPACES = StorageLayout(CONTRACT, (), _TYPES, tuple(_namespace(i, s, m) for i, (s, m) in NAMESPACES.items()))


def role_ids(abis: Iterable[list[dict[str, Any]]]) -> dict[int, str]:
    """role id -> its name: ``DEFAULT_ADMIN_ROLE`` is 0 (AccessControlUpgradeable.sol), every
    other ``FOO_ROLE`` the build's ABIs or the common list name is ``keccak256("FOO_ROLE")``."""
    names = set(COMMON_ROLES)
    for abi in abis:
        names.update(f["name"] for f in abi if f.get("type") == "function" and str(f.get("name", "")).endswith("_ROLE")
                     and not f.get("inputs"))
    out = {int.from_bytes(keccak(n.encode()), "big"): n for n in sorted(names) if n != "DEFAULT_ADMIN_ROLE"}
    out[0] = "DEFAULT_ADMIN_ROLE"
    return out
