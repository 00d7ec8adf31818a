"""Re-initialization after upgrade (Audius 2022: a storage clash reset the initialized flag
and a stranger called ``initialize`` on the live proxy). After the batch every initializer of
the target (``sim.locks.initializers``: OpenZeppelin's modifiers, ``initialize*``/``init``) is
called on the proxy itself from an address nobody controls, with ordinary arguments; any call
that succeeds is red. A reinitializer whose version is still ahead of the proxy's and that
reverts for another reason (its own guard, or our arguments) is named as pending, not red:
nothing shows a stranger can pass that guard."""

from __future__ import annotations

from typing import Any

from eth_abi import encode as abi_encode
from eth_utils import to_checksum_address

from upgrader.proxies import kind_of
from upgrader.safe.abi_values import canonical_type, selector
from upgrader.sim import locks
from upgrader.sim.probes import Finding, Upgraded
from upgrader.sim.probes.source import reinitializers
from upgrader.sim.runner import call_as
from upgrader.stages.initializable import version_location


def probe(w3: Any, u: Upgraded, build_info: dict[str, Any], moment: str = "after the batch") -> list[Finding]:
    """``moment`` is when the proxy is probed, as the detail says it: after a batch on a fork,
    or ``now`` on the live chain (``watch``, an upgrade no batch made)."""
    entries = locks.initializers(build_info, u.target_fqn, u.target_abi)
    versions = reinitializers(build_info, u.target_fqn)
    where = version_location(build_info, u.target_fqn)
    out = []
    for holder in kind_of(u.record).storage_holders(u.record):
        label = f"{u.record.name}" + ("" if holder.lower() == u.record.address.lower() else f" {holder}")
        if not entries:
            out.append(Finding("initializers-closed", "reinitializable-after-upgrade", True, "no initializers", label))
            continue
        version = where.read(bytes(w3.eth.get_storage_at(to_checksum_address(holder), where.slot)))
        open_, shown = [], []
        for entry in entries:
            sig = locks.signature(entry)
            types = [canonical_type(i) for i in entry.get("inputs", [])]
            data = selector(entry) + abi_encode(types, [locks.sample(i) for i in entry.get("inputs", [])])
            outcome = call_as(w3, locks.STRANGER, holder, data)
            n = versions.get(selector(entry).hex(), (None, None))[1]
            if outcome.ok:
                open_.append(f"{sig} succeeds from a stranger")
            elif outcome.output[:4] == locks.INVALID_INITIALIZATION or locks.OZ4_MESSAGE in (outcome.reason or ""):
                shown.append(f"{sig} reverts: already initialized")
            elif n is not None and n > version:
                shown.append(f"{sig} is pending (reinitializer({n}), version {version}) and reverts: {outcome.reason}")
            else:
                shown.append(f"{sig} reverts: {outcome.reason}")
        if open_:
            out.append(Finding("initializers-closed", "reinitializable-after-upgrade", False,
                               f"{moment} (version {version}) a stranger can initialize the proxy: " + "; ".join(open_), label))
        else:
            out.append(Finding("initializers-closed", "reinitializable-after-upgrade", True,
                               f"{moment} (version {version}): " + "; ".join(shown), label))
    return out
