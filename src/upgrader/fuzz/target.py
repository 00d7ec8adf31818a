"""What is fuzzed, read from the manifest, the build and the plan: every recorded proxy (each
beacon proxy of a beacon) with the ABI of the version it runs and the version the plan upgrades
it to, the functions its module declares changed, the other contracts of the system the build
knows (``extras`` named after a build contract, e.g. a token), and the plan's batch."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from upgrader.build import artifacts
from upgrader.errors import InputError
from upgrader.fuzz.abi import AbiFunction, functions_of
from upgrader.manifest import Manifest
from upgrader.proxies import storage_holders
from upgrader.safe.tx import SafeTx

_SIGNATURE = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*\(.*\)$")


@dataclass(frozen=True)
class Contract:
    name: str  # the module (proxy) name, or the extras name
    address: str
    before: dict[bytes, AbiFunction]  # the version running now
    after: dict[bytes, AbiFunction]  # the version after the plan (``before`` when not upgraded)
    changed: frozenset[str] = frozenset()  # signatures declared changed by the upgrade
    upgraded: bool = False

    def function(self, selector: bytes) -> AbiFunction:
        return self.after.get(selector) or self.before[selector]

    def callable(self) -> list[AbiFunction]:
        seen = {**self.before, **{s: f for s, f in self.after.items() if s not in self.before}}
        return [f for f in seen.values() if f.fuzzable]

    def compared(self, fn: AbiFunction) -> bool:
        """Both versions expose it and the module does not declare it changed."""
        return fn.selector in self.before and fn.selector in self.after and fn.signature not in self.changed

    def only_after(self, fn: AbiFunction) -> bool:
        return fn.selector not in self.before


@dataclass(frozen=True)
class Target:
    network: str
    chain_id: int
    safe: str
    owners: tuple[str, ...]
    contracts: tuple[Contract, ...]
    safe_tx: SafeTx
    plan_hash: str
    abis: tuple[tuple[dict[str, Any], ...], ...]  # every ABI involved (custom errors for reports)

    def contract(self, name: str) -> Contract:
        for c in self.contracts:
            if c.name == name:
                return c
        raise InputError(f"no contract {name!r} in the fuzzed system (known: {', '.join(c.name for c in self.contracts)})")

    @property
    def upgraded(self) -> tuple[Contract, ...]:
        return tuple(c for c in self.contracts if c.upgraded)


def normalized(signature: str) -> str:
    return signature.replace(" ", "")


def declared_changed(config: Any, name: str) -> list[str]:
    """``[modules.<name>.fuzz] changed``, spaces removed; a malformed entry is bad input."""
    module = config.modules.get(name)
    out = []
    for entry in module.fuzz.changed if module is not None else ():
        sig = normalized(entry)
        if not _SIGNATURE.match(sig):
            raise InputError(f"upgrader.modules.{name}.fuzz.changed: {entry!r} is not a function signature such as \"fee()\"")
        out.append(sig)
    return sorted(set(out))


def build_target(manifest: Manifest, build_info: dict[str, Any], plan: dict[str, Any], safe_tx: SafeTx,
                 config: Any) -> Target:
    upgrades = {u["proxy"]: u for u in plan["upgrades"]}
    contracts, abis = [], []
    for record in manifest.proxies:
        before_abi = _abi(build_info, record.implementation.contract, record.name)
        upgrade = upgrades.get(record.name)
        after_abi = _abi(build_info, upgrade["to"]["contract"], record.name) if upgrade else before_abi
        changed = frozenset(upgrade.get("fuzz", {}).get("changed", [])) if upgrade else frozenset()
        before, after = functions_of(before_abi), functions_of(after_abi)
        known = {f.signature for f in (*before.values(), *after.values())}
        unknown = sorted(changed - known)
        if unknown:
            raise InputError(f"upgrader.modules.{record.name}.fuzz.changed names {', '.join(unknown)}, which neither "
                             f"version of {record.name} has; check the signature (types, no names)")
        abis += [tuple(before_abi), tuple(after_abi)]
        for holder in storage_holders(record):
            contracts.append(Contract(record.name if holder == record.address else f"{record.name}@{holder}", holder,
                                      before, after, changed, upgrade is not None))
    for name, address in sorted(manifest.extras.items()):
        try:
            abi = artifacts.find(build_info, name).abi
        except InputError:  # an account, or a contract the build does not hold
            continue
        fns = functions_of(abi)
        if fns:
            abis.append(tuple(abi))
            contracts.append(Contract(name, address, fns, fns))
    return Target(network=manifest.network, chain_id=manifest.chain_id, safe=manifest.safe.address,
                  owners=tuple(manifest.safe.owners), contracts=tuple(contracts), safe_tx=safe_tx,
                  plan_hash=plan["plan_hash"], abis=tuple(abis))


def _abi(build_info: dict[str, Any], contract: str, proxy: str) -> list[dict[str, Any]]:
    try:
        return list(artifacts.find(build_info, contract).abi)
    except InputError:
        short = contract.rsplit(":", 1)[-1]
        try:
            return list(artifacts.find(build_info, short).abi)
        except InputError:
            raise InputError(f"{proxy}: the build has no contract {contract!r} (the version the manifest records); "
                             "build the project, or record the deployed version's build") from None
