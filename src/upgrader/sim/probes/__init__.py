"""Pre-sign probes (issue 24), run on the fork after the batch by ``simulate`` and
``review --simulate``; each is red when it fails. The incidents behind them:

- ``reinit.incomplete``: a reinitializer the target declares between the proxy's version
  before and after that never ran, so never can (Ronin bridge 2024, ``initializeV3`` skipped);
  ``reinit.left_unset``: a new state variable no initializer set that the code reads in a
  condition (``left-unset-after-upgrade``);
- ``reopen``: an initializer of the proxy a stranger can still call after the batch (Audius 2022);
- ``authority``: the batch moves the admin/owner of a proxy, ProxyAdmin or beacon, or grants a
  privileged role, to anyone but the recorded governance (the Safe or its Timelock;
  Munchables 2024).

Two more run where they were already: ``sim.locks`` (the implementation left initializable:
Wormhole 2022, Parity 2017) and ``sim.code`` (provenance: the code is the build's, immutables
and metadata hash included); the same probes feed ``watch``'s checks of implementations.

    before = read_before(w3, manifest, build_info)        # versions and owners, before the batch
    findings = run(w3, upgraded, before, tx_hashes, build_info, governance)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_utils import to_checksum_address

from upgrader.proxies import kind_of
from upgrader.stages.initializable import version_location


@dataclass(frozen=True)
class Finding:
    check: str  # simulate's check name after "<proxy>: "
    kind: str  # review's warning kind when not ok
    ok: bool
    detail: str
    proxy: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"proxy": self.proxy, "check": self.check, "kind": self.kind, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class Upgraded:
    """A proxy the batch upgrades, and what its upgrade declares (the plan's, or nothing)."""

    record: Any  # manifest ProxyRecord (before the batch)
    target_fqn: str
    target_abi: list[dict[str, Any]]
    skips: frozenset[str] = frozenset()  # reinitializers left out on purpose
    unset: frozenset[str] = frozenset()  # new variables left at zero on purpose


@dataclass
class Before:
    versions: dict[str, int] = field(default_factory=dict)  # holder (lower) -> Initializable version
    governors: dict[str, str | None] = field(default_factory=dict)  # proxy name -> owner of it/ProxyAdmin/beacon


def read_before(w3: Any, manifest: Any, build_info: dict[str, Any]) -> Before:
    out = Before()
    for record in manifest.proxies if manifest is not None else []:
        where = version_location(build_info, record.implementation.contract)
        for holder in kind_of(record).storage_holders(record):
            word = bytes(w3.eth.get_storage_at(to_checksum_address(holder), where.slot))
            out.versions[holder.lower()] = where.read(word)
        out.governors[record.name] = _governor(w3, record)
    return out


def _governor(w3: Any, record: Any) -> str | None:
    try:
        return kind_of(record).governor(w3, record)
    except Exception:  # no owner() to read: the manifest's record stands
        return None


def governance_of(manifest: Any) -> set[str]:
    """The addresses that may hold authority: the Safe, its Timelock and Governor."""
    out = {manifest.safe.address.lower()}
    if manifest.governance is not None:
        out.add(manifest.governance.timelock.address.lower())
        if manifest.governance.governor is not None:
            out.add(manifest.governance.governor.address.lower())
    return out


def run(w3: Any, manifest: Any, upgraded: list[Upgraded], before: Before, tx_hashes: list[str],
        build_info: dict[str, Any]) -> list[Finding]:
    """Every probe after the batch (``tx_hashes``: the Safe's transaction and any later legs)."""
    from upgrader.sim.probes import authority, reinit, reopen

    governance = governance_of(manifest)
    called = reinit.called(w3, tx_hashes)
    out: list[Finding] = []
    for u in upgraded:
        out += reinit.incomplete(w3, u, before, called, build_info)
        out += reinit.left_unset(w3, u, build_info)
        out += reopen.probe(w3, u, build_info)
    out += authority.probe(w3, manifest, before, tx_hashes, governance, build_info)
    return out
