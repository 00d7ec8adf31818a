"""The manifest schema (validated on load; unknown keys are refused)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from upgrader.manifest.address import Address
from upgrader.manifest.governance import GovernanceRecord

SCHEMA = "upgrader/manifest@1"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SafeRecord(_Strict):
    address: Address
    version: str
    owners: list[Address]
    threshold: int = Field(ge=1)
    singleton: Address | None = None
    proxy_factory: Address | None = None
    multisend_call_only: Address | None = None

    @model_validator(mode="after")
    def _owners_can_reach_threshold(self) -> "SafeRecord":
        if not self.owners:
            raise ValueError("the Safe has no owners; list its owners (Safe.getOwners())")
        if len(set(self.owners)) != len(self.owners):
            raise ValueError("an owner is listed twice; list each owner of the Safe once")
        if self.threshold > len(self.owners):
            raise ValueError(f"threshold {self.threshold} is above the {len(self.owners)} owner(s); "
                             "record the Safe's real threshold and owners")
        return self


class Implementation(_Strict):
    address: Address
    contract: str  # "<source>:<Name>"
    code_hash: str  # keccak of runtime code without metadata, immutables zeroed
    storage_layout: dict[str, Any]
    deploy_tx: str | None = None
    block: int | None = None


class UpgradeRecord(_Strict):
    from_implementation: Address
    to_implementation: Address
    to_contract: str  # a build contract, or "unknown code" for an upgrade found by `sync`
    plan_hash: str | None  # None: not one of upgrader's plans (origin "outside")
    safe_tx_hash: str | None  # None: not executed through the Safe
    tx: str
    block: int
    origin: Literal["upgrader", "outside"] = "upgrader"  # "outside": found by `upgrader sync`
    log_index: int | None = None  # the Upgraded log's index in its block (with tx: the event's key, manifest.history)


ProxyKindName = Literal["uups", "uups-oz4", "transparent", "transparent-oz4", "beacon"]


class ProxyRecord(_Strict):
    name: str
    address: Address
    kind: ProxyKindName = "uups"  # how it is upgraded: see upgrader.proxies
    admin: Address | None = None  # transparent: the ProxyAdmin
    beacon: Address | None = None  # beacon: the UpgradeableBeacon
    beacon_proxies: list[Address] = []  # beacon: every BeaconProxy of the beacon (``address`` first)
    governor: Address | None = None  # who upgrades it (owner of the proxy/ProxyAdmin/beacon); None: the Safe
    deploy_tx: str | None = None
    deploy_block: int | None = None
    implementation: Implementation
    history: list[UpgradeRecord] = []


class Manifest(_Strict):
    schema_: Literal["upgrader/manifest@1"] = Field(SCHEMA, alias="schema")
    network: str
    chain_id: int
    safe: SafeRecord
    proxies: list[ProxyRecord]
    extras: dict[str, str] = {}  # other addresses of the system (e.g. the local mock token)
    governance: GovernanceRecord | None = None  # None: the Safe upgrades directly (upgrader.governance)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _schema_stated(cls, data: Any, info: ValidationInfo) -> Any:
        """A file must name its schema (code building a Manifest gets the default)."""
        if (info.context or {}).get("file") and isinstance(data, dict) and "schema" not in data:
            raise ValueError(f'the "schema" key is missing; add "schema": "{SCHEMA}"')
        return data

    @model_validator(mode="after")
    def _proxies_unique(self) -> "Manifest":
        for what, key in (("name", lambda p: p.name), ("address", lambda p: p.address)):
            seen: set[str] = set()
            for p in self.proxies:
                if key(p) in seen:
                    raise ValueError(f"two proxy entries have the {what} {key(p)}; keep one entry per proxy")
                seen.add(key(p))
        return self

    def proxy(self, name: str) -> ProxyRecord:
        for p in self.proxies:
            if p.name == name:
                return p
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        """The file's content; ``governance`` only when there is a chain beyond the Safe, so a
        manifest of a Safe-governed system (and its hash) is what it was before chains existed."""
        data = self.model_dump(mode="json", by_alias=True)
        if data.get("governance") is None:
            data.pop("governance", None)
        for proxy in data["proxies"]:  # entries written before log indexes were kept read (and hash) as they were
            for entry in proxy["history"]:
                if entry.get("log_index") is None:
                    entry.pop("log_index", None)
        return data
