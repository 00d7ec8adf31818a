"""The manifest schema (validated on load; unknown keys are refused)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA = "upgrader/manifest@1"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SafeRecord(_Strict):
    address: str
    version: str
    owners: list[str]
    threshold: int = Field(ge=1)
    singleton: str | None = None
    proxy_factory: str | None = None
    multisend_call_only: str | None = None


class Implementation(_Strict):
    address: str
    contract: str  # "<source>:<Name>"
    code_hash: str  # keccak of runtime code without metadata, immutables zeroed
    storage_layout: dict[str, Any]
    deploy_tx: str | None = None
    block: int | None = None


class UpgradeRecord(_Strict):
    from_implementation: str
    to_implementation: str
    to_contract: str
    plan_hash: str
    safe_tx_hash: str
    tx: str
    block: int


class ProxyRecord(_Strict):
    name: str
    address: str
    kind: Literal["uups"] = "uups"
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

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def proxy(self, name: str) -> ProxyRecord:
        for p in self.proxies:
            if p.name == name:
                return p
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)
