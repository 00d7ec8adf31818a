"""Per proxy: does the chain match the manifest, and does the manifest match the build?"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from upgrader.build import artifacts
from upgrader.build.artifacts import code_hash
from upgrader.chain.rpc import admin_of, code_at
from upgrader.constants import ZERO_ADDRESS
from upgrader.errors import InputError
from upgrader.manifest import ProxyRecord
from upgrader.stages.context import NetworkContext
from upgrader.proxies import kind_of

State = Literal["in_sync", "pending", "scheduled", "ready", "drift", "unknown"]  # scheduled/ready: in a Timelock (upgrader.governance)


@dataclass(frozen=True)
class ProxyStatus:
    name: str
    address: str
    kind: str  # upgrader.proxies kind name
    implementation: str  # on chain (ERC-1967 slot, or the beacon's)
    admin: str
    state: State
    recorded_implementation: str
    recorded_contract: str
    target_contract: str
    detail: str


@dataclass(frozen=True)
class StatusReport:
    network: str
    chain_id: int
    safe: str
    proxies: list[ProxyStatus]
    governance: list[str] = field(default_factory=list)  # the chain of authority, one line per link
    operations: list[dict[str, Any]] = field(default_factory=list)  # pending plans' Timelock operations / proposals

    @property
    def drifted(self) -> list[str]:
        return [p.name for p in self.proxies if p.state == "drift"]

    @property
    def hint(self) -> str | None:
        """What fixes a proxy upgraded outside the manifest's knowledge (by a killed execute, or
        from the Safe's own UI): `upgrader sync` reads the chain's events and records them."""
        if not self.drifted:
            return None
        return f"{', '.join(self.drifted)} drifted: `upgrader sync --network {self.network}` records what the chain did"

    def to_json(self) -> dict[str, Any]:
        return {
            "drifted": self.drifted,
            "hint": self.hint,
            "network": self.network,
            "chain_id": self.chain_id,
            "safe": self.safe,
            "proxies": [asdict(p) for p in self.proxies],
            "governance": self.governance,
            "operations": self.operations,
        }


def target_artifact(ctx: NetworkContext, name: str) -> artifacts.Artifact:
    module = ctx.config.modules.get(name)
    if module is None:
        raise InputError(f"proxy {name!r} has no entry under upgrader.modules in {ctx.config.source.split()[0]}")
    if not module.target:  # an adopted module without a target: it stays on what it runs
        return artifacts.find(ctx.build_info, ctx.manifest().proxy(name).implementation.contract)
    return artifacts.find(ctx.build_info, module.target)


def onchain_code_hash(ctx: NetworkContext, record: ProxyRecord, address: str) -> str:
    """Hash of the code at ``address``, normalised with the recorded contract's immutables."""
    code = code_at(ctx.w3, address)
    try:
        ranges = artifacts.find(ctx.build_info, record.implementation.contract).immutable_ranges
    except InputError:
        ranges = ()
    return code_hash(code, ranges)


def proxy_status(ctx: NetworkContext, record: ProxyRecord) -> ProxyStatus:
    target = target_artifact(ctx, record.name)
    base = dict(
        name=record.name, address=record.address, kind=record.kind,
        recorded_implementation=record.implementation.address,
        recorded_contract=record.implementation.contract, target_contract=target.fqn,
    )
    if not code_at(ctx.w3, record.address):
        return ProxyStatus(**base, implementation=ZERO_ADDRESS, admin=ZERO_ADDRESS, state="unknown", detail="no code at the proxy address")
    kind = kind_of(record)
    impl, admin = kind.implementation(ctx.w3, record), record.admin or admin_of(ctx.w3, record.address)
    state: State
    if (moved := kind.structure_drift(ctx.w3, record)) is not None:
        state, detail = "drift", moved
    elif impl != record.implementation.address:
        state, detail = "drift", (f"chain points to {impl}, manifest records {record.implementation.address}; "
                                  f"`upgrader sync --network {ctx.network.name}` records what happened")
    elif onchain_code_hash(ctx, record, impl) != record.implementation.code_hash:
        state, detail = "drift", "code at the implementation differs from the recorded code hash"
    elif target.code_hash != record.implementation.code_hash:
        state, detail = "pending", f"build has {target.name}; upgrade due"
    else:
        state, detail = "in_sync", "chain == manifest == build"
    return ProxyStatus(**base, implementation=impl, admin=admin, state=state, detail=detail)


def status(ctx: NetworkContext) -> StatusReport:
    from upgrader.governance.status import governed_status

    manifest = ctx.manifest()
    report = StatusReport(
        network=ctx.network.name, chain_id=ctx.chain_id, safe=manifest.safe.address,
        proxies=[proxy_status(ctx, p) for p in manifest.proxies],
    )
    return governed_status(ctx, manifest, report)
