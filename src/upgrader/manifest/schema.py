"""The manifest's JSON Schema (``schemas/manifest.schema.json``): the pydantic model's own
schema with a description for every field and the address pattern. Regenerate with
``python -m upgrader.manifest.schema > schemas/manifest.schema.json`` (a test holds the file
equal to this)."""

from __future__ import annotations

import json
import sys
from typing import Any

from upgrader.manifest.model import Manifest

ADDRESS = {"pattern": "^0x[0-9a-fA-F]{40}$"}
HASH = {"pattern": "^0x[0-9a-fA-F]{64}$"}
DOCS: dict[str, dict[str, str]] = {
    "Manifest": {
        "schema": "Always \"upgrader/manifest@1\".",
        "network": "The network name under upgrader's settings (ape-config.yaml upgrader.networks or upgrader.toml [networks]).",
        "chain_id": "The chain id of that network; commands refuse a node of another chain.",
        "safe": "The Safe that proposes and executes upgrades.",
        "proxies": "One entry per upgradeable module (a beacon and all its proxies are one entry).",
        "extras": "Other named addresses of the system (shown by name in reviews; key simulations' mapping probes).",
        "governance": "The chain of authority between the Safe and the proxies when it is more than the Safe "
                      "(upgrader.governance); absent: the Safe upgrades directly.",
    },
    "GovernanceRecord": {
        "kind": "timelock (Safe → TimelockController) or governor (Safe → Governor → TimelockController).",
        "timelock": "The OpenZeppelin TimelockController that owns the proxies (or their ProxyAdmin/beacon).",
        "governor": "governor: the OpenZeppelin Governor (GovernorTimelockControl) that proposes to the Timelock.",
    },
    "TimelockRecord": {
        "address": "The TimelockController.",
        "oz_version": "OpenZeppelin Contracts major version: 5 (has getOperationState) or 4 (4.9).",
        "min_delay": "getMinDelay() when imported, in seconds; plans read it again and schedule with at least it.",
        "proposers": "Accounts holding PROPOSER_ROLE (from RoleGranted events, checked with hasRole).",
        "cancellers": "Accounts holding CANCELLER_ROLE.",
        "executors": "Accounts holding EXECUTOR_ROLE (besides address(0)).",
        "executor_open": "EXECUTOR_ROLE is held by address(0): anyone may execute a ready operation.",
    },
    "GovernorRecord": {
        "address": "The Governor.",
        "oz_version": "OpenZeppelin Contracts major version: 5 (has proposalNeedsQueuing) or 4 (4.9).",
        "name": "Its name().",
        "token": "Its voting token (token()), when it has one.",
        "clock_mode": "Its ERC-6372 CLOCK_MODE(): voting delay and period count blocks or seconds.",
        "voting_delay": "votingDelay() when imported.",
        "voting_period": "votingPeriod() when imported.",
    },
    "SafeRecord": {
        "address": "The Safe (proxy) address.",
        "version": "The Safe's VERSION(), e.g. \"1.4.1\": part of the EIP-712 domain owners sign.",
        "owners": "The owners, as getOwners() returns them.",
        "threshold": "Confirmations needed (getThreshold()).",
        "singleton": "The Safe singleton (slot 0 of the Safe proxy).",
        "proxy_factory": "The SafeProxyFactory that created it, when known.",
        "multisend_call_only": "The MultiSendCallOnly batches are DELEGATECALLed to (the only DELEGATECALL target allowed).",
    },
    "ProxyRecord": {
        "name": "The module's name; upgrader settings declare its target under modules.<name>.",
        "address": "The proxy (for a beacon: the first of its proxies).",
        "kind": "How it is upgraded: uups (OpenZeppelin 5, upgradeToAndCall), uups-oz4 (4.x: upgradeTo without an initializer), "
                "transparent (ProxyAdmin.upgradeAndCall), transparent-oz4 (ProxyAdmin.upgrade / upgradeAndCall), "
                "beacon (UpgradeableBeacon.upgradeTo).",
        "admin": "transparent kinds: the ProxyAdmin (ERC-1967 admin slot).",
        "beacon": "beacon: the UpgradeableBeacon (ERC-1967 beacon slot).",
        "beacon_proxies": "beacon: every BeaconProxy using the beacon, address first (storage of each is checked).",
        "governor": "Who may upgrade it: the owner of the proxy, ProxyAdmin or beacon; null when it cannot be read "
                    "(the Safe is assumed). plan refuses a proxy whose governor is not the Safe.",
        "deploy_tx": "The transaction that created the proxy, when known.",
        "deploy_block": "Its block, when known.",
        "implementation": "The implementation the proxy runs now.",
        "history": "Upgrades upgrader executed, oldest first.",
    },
    "Implementation": {
        "address": "The implementation contract.",
        "contract": "The build contract it runs, \"<source>:<Name>\" (\"<OZ manifest file>:<Name>\" when its layout came from OpenZeppelin's manifest).",
        "code_hash": "keccak256 of its runtime code without the metadata trailer and with immutables zeroed.",
        "storage_layout": "Its storage layout in the checker's form (upgrader.layout/1: storage, namespaces, types).",
        "deploy_tx": "The transaction that deployed it, when known.",
        "block": "Its block, when known.",
    },
    "UpgradeRecord": {
        "from_implementation": "The implementation before the upgrade.",
        "to_implementation": "The implementation after it.",
        "to_contract": "The build contract of the new implementation (`unknown code` when `sync` found no match).",
        "plan_hash": "The plan that made the upgrade (null: not one of upgrader's plans).",
        "safe_tx_hash": "The Safe transaction that executed it (null: not executed through the Safe).",
        "tx": "The transaction that upgraded the proxy.",
        "block": "Its block.",
        "origin": "`upgrader` (one of its plans) or `outside` (found by `upgrader sync`).",
        "log_index": "The Upgraded log's index in its block: with tx, what makes the event unique (absent in older entries).",
    },
}
ADDRESS_FIELDS = {"address", "owners", "singleton", "proxy_factory", "multisend_call_only", "admin", "beacon",
                  "beacon_proxies", "governor", "from_implementation", "to_implementation", "proposers", "cancellers",
                  "executors", "token"}


def json_schema() -> dict[str, Any]:
    schema = Manifest.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "upgrader/manifest@1"
    for model, props in [("Manifest", schema["properties"]), *((name, d["properties"]) for name, d in schema["$defs"].items())]:
        docs = DOCS[model]
        for field, prop in props.items():
            prop["description"] = docs[field]
            if field in ADDRESS_FIELDS:
                _constrain(prop, ADDRESS)
    return schema


def _constrain(prop: dict[str, Any], extra: dict[str, str]) -> None:
    """Add ``extra`` to every string in the property (nullable and list forms included)."""
    if prop.get("type") == "string":
        prop.update(extra)
    for sub in prop.get("anyOf", []):
        _constrain(sub, extra)
    if isinstance(prop.get("items"), dict):
        _constrain(prop["items"], extra)


if __name__ == "__main__":
    sys.stdout.write(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n")
