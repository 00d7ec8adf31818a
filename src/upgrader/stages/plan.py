"""`upgrader plan`: decide what an upgrade must do and write it down, hashed.

For each proxy whose built target differs from what is deployed: verify the chain matches
the manifest and the Safe governs the proxy, check the target against the recorded layout,
deploy the implementation (with its constructor arguments) through CREATE2 (only when no
code is there yet), then make the calls the proxy's kind upgrades with (``upgrader.proxies``)
and the module's declared reinitializer."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from upgrader.build.artifacts import Artifact
from upgrader.chain import create2
from upgrader.chain.rpc import code_at
from upgrader.errors import InputError, UnsafeError
from upgrader.layout.extract import extract_layout
from upgrader.layout.model import StorageItem, StorageLayout
from upgrader.manifest import Manifest, ProxyRecord, manifest_hash
from upgrader.sim.writes import variables
from upgrader.stages.context import NetworkContext
from upgrader.stages.initializable import INITIALIZABLE_SLOT, version_location
from upgrader.stages.plan_settings import module_allow, module_settings
from upgrader.stages.planfile import PLAN_SCHEMA, seal
from upgrader.stages.status import onchain_code_hash, target_artifact
from upgrader.check.verdict import upgrade_verdict
from upgrader.proxies import kind_of

__all__ = ["INITIALIZABLE_SLOT", "make_plan", "target_initcode"]


def git_state(root: Path) -> dict[str, Any]:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False).stdout.strip()

    commit = git("rev-parse", "HEAD") or None
    dirty = bool(git("status", "--porcelain", "--untracked-files=no")) if commit else True
    return {"commit": commit, "dirty": dirty}


def _init_call(ctx: NetworkContext, record: ProxyRecord, target: Artifact) -> dict[str, Any]:
    name = record.name
    module = ctx.config.modules[name]
    if module.reinitializer is None:
        init: dict[str, Any] = {"function": None, "args": [], "data": "0x", "changes": []}
        return init | _declared_omissions(ctx, name, target, variables(extract_layout(ctx.build_info, target.fqn)))
    fn, args = module.reinitializer.function, list(module.reinitializer.args)
    overloads = [f for f in target.abi if f.get("type") == "function" and f.get("name") == fn]
    if not overloads:
        known = sorted({f["name"] for f in target.abi if f.get("type") == "function"})
        raise InputError(f"upgrader.modules.{name}.reinitializer: {target.name} has no function {fn!r}; "
                         f"name one of its functions ({', '.join(known) or 'none'})")
    try:
        data = ctx.w3.eth.contract(abi=target.abi).encode_abi(fn, args)
    except Exception:  # arguments that fit none of its overloads
        takes = " or ".join(f"({', '.join(i['type'] for i in f['inputs'])})" for f in overloads)
        raise InputError(f"upgrader.modules.{name}.reinitializer: cannot encode {fn} with args {args} for {target.name}: "
                         f"it takes {takes}") from None
    changes = sorted(set(module.reinitializer.changes))
    known = variables(StorageLayout.from_json(record.implementation.storage_layout)) | variables(extract_layout(ctx.build_info, target.fqn))
    if unknown := [c for c in changes if c not in known]:
        raise InputError(f"upgrader.modules.{name}.reinitializer.changes: {', '.join(unknown)} is no variable of "
                         f"{record.implementation.contract.rsplit(':', 1)[-1]} or {target.name} (known: {', '.join(sorted(known))})")
    init = {"function": fn, "args": [str(a) if isinstance(a, int) else a for a in args], "data": data, "changes": changes}
    return init | _declared_omissions(ctx, name, target, known)


def _declared_omissions(ctx: NetworkContext, name: str, target: Artifact, known: set[str]) -> dict[str, list[str]]:
    """The reinitializer's ``skips`` and the new variables left ``unset`` on purpose (issue 24's
    probes; ``unset`` in the module or its reinitializer, so an upgrade without one can declare
    it too), checked against the target; recorded only when declared, so a plan without them
    keeps its hash."""
    from upgrader.sim.probes.source import reinitializers

    module = ctx.config.modules[name]
    reinit = module.reinitializer
    out: dict[str, list[str]] = {}
    skips = sorted(set(reinit.skips)) if reinit is not None else []
    unset = sorted(set(module.unset) | set(reinit.unset if reinit is not None else ()))
    if skips:
        declared = {fn for fn, _ in reinitializers(ctx.build_info, target.fqn).values()}
        if unknown := [s for s in skips if s not in declared]:
            raise InputError(f"upgrader.modules.{name}.reinitializer.skips: {', '.join(unknown)} is no reinitializer of "
                             f"{target.name} (its reinitializers: {', '.join(sorted(declared)) or 'none'})")
        out["skips"] = skips
    if unset:
        if unknown := [u for u in unset if u not in known]:
            raise InputError(f"upgrader.modules.{name}.unset: {', '.join(unknown)} is no variable of {target.name}")
        out["unset"] = unset
    return out


def target_initcode(ctx: NetworkContext, name: str, target: Artifact) -> bytes:
    """The init code deployed for a module: the build's, then its ABI-encoded constructor
    arguments (``upgrader.modules.<name>.constructor_args``); the CREATE2 salt covers both."""
    return target.initcode + encoded_constructor_args(target, ctx.config.modules[name].constructor_args, name)


def encoded_constructor_args(target: Artifact, args: tuple[Any, ...], name: str) -> bytes:
    """``upgrader.modules.<name>.constructor_args`` ABI-encoded for ``target``'s constructor."""
    from eth_abi import encode as abi_encode

    from upgrader.safe.abi_values import canonical_type

    ctor = next((f for f in target.abi if f.get("type") == "constructor"), {"inputs": []})
    types = [canonical_type(i) for i in ctor["inputs"]]
    if len(types) != len(args):
        raise InputError(f"upgrader.modules.{name}.constructor_args: {target.name}'s constructor takes {len(types)} "
                         f"argument(s) ({', '.join(types) or 'none'}), the config gives {len(args)}")
    try:
        return abi_encode(types, [_abi_value(t, a) for t, a in zip(types, args)])
    except Exception as exc:  # eth_abi's encoding errors
        raise InputError(f"upgrader.modules.{name}.constructor_args: cannot encode {list(args)} as ({', '.join(types)}): {exc}") from None


def _abi_value(abi_type: str, value: Any) -> Any:
    if abi_type.startswith(("uint", "int")) and isinstance(value, str):
        return int(value, 0)
    if abi_type.startswith("bytes") and isinstance(value, str) and value.startswith("0x"):
        return bytes.fromhex(value[2:])
    return value


def governed_by_safe(record: ProxyRecord, manifest: Manifest) -> bool:
    """The proxy's owner is the Safe, or the Timelock the Safe reaches (``upgrader.governance``)."""
    from upgrader.governance import authority_of

    return record.governor is None or record.governor.lower() == authority_of(manifest).lower()


def _verify_deployed(ctx: NetworkContext, record: ProxyRecord, safe: str) -> None:
    kind = kind_of(record)
    if (moved := kind.structure_drift(ctx.w3, record)) is not None:
        raise UnsafeError(f"{record.name}: {moved} (drift); reconcile before planning")
    governor = kind.governor(ctx.w3, record)
    if record.governor is not None and governor is not None and governor != record.governor:
        raise UnsafeError(f"{record.name}: upgrades are now authorised by {governor}, manifest records {record.governor} (drift)")
    on_chain = kind.implementation(ctx.w3, record)
    if on_chain != record.implementation.address:
        raise UnsafeError(f"{record.name}: chain points to {on_chain}, manifest records {record.implementation.address} (drift); reconcile before planning")
    if onchain_code_hash(ctx, record, on_chain) != record.implementation.code_hash:
        raise UnsafeError(f"{record.name}: code at {on_chain} does not match the manifest's code hash (drift)")


def gap_takeover_slots(old: StorageLayout, new: StorageLayout) -> set[int]:
    """Slots that were part of a storage gap and now belong to a new variable: they change
    by design (from zero) when the new version first writes them."""
    def slots(item: StorageItem) -> range:
        return range(item.slot, item.slot + max(1, (item.offset + item.size + 31) // 32))

    gap = {s for i in old.items if i.is_gap for s in slots(i)}
    return {s for i in new.items if not i.is_gap for s in slots(i) if s in gap}


def declared_changes(record: ProxyRecord, target: Artifact, build_info: dict[str, Any], reinitializes: bool) -> list[str]:
    old = StorageLayout.from_json(record.implementation.storage_layout)
    slots = gap_takeover_slots(old, extract_layout(build_info, target.fqn))
    if reinitializes:
        slots.add(version_location(build_info, target.fqn).slot)
    return [hex(s) for s in sorted(slots)]


def _upgrade_entry(ctx: NetworkContext, record: ProxyRecord, target: Artifact, verdict: dict[str, Any],
                   verdict_allow: frozenset[str] = frozenset()) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    initcode = target_initcode(ctx, record.name, target)
    impl = create2.address_of(initcode)
    exists = bool(code_at(ctx.w3, impl))
    init = _init_call(ctx, record, target)
    calls = []
    if not exists:
        calls.append({
            "to": create2.DEPLOYER, "value": "0", "operation": 0,
            "data": "0x" + create2.deploy_calldata(initcode).hex(),
            "description": f"deploy {target.name} at {impl} via CREATE2",
        })
    kind = kind_of(record)
    calls += [c.to_plan() for c in kind.upgrade_calls(record, impl, bytes.fromhex(init["data"][2:]), init["function"] or "no call")]
    entry = {
        "proxy": record.name,
        "address": record.address,
        "kind": record.kind,
        "holders": kind.storage_holders(record),
        "from": {"implementation": record.implementation.address, "contract": record.implementation.contract, "code_hash": record.implementation.code_hash},
        "to": {"implementation": impl, "contract": target.fqn, "code_hash": target.code_hash,
               "create2_salt": "0x" + create2.salt_for(initcode).hex(), "already_deployed": exists,
               "constructor_args": "0x" + initcode[len(target.initcode):].hex()},
        "init": init,
        "check": verdict,
        "declared_changes": declared_changes(record, target, ctx.build_info, bool(init["function"])),
    }
    entry.update(module_settings(ctx, record.name, verdict_allow))
    changed = ctx.config.modules[record.name].fuzz.changed  # `upgrader fuzz` (issue 25): results V2 changes on purpose
    if changed:  # only when declared, so plans of modules that declare nothing keep their hash
        entry["fuzz"] = {"changed": sorted({c.replace(" ", "") for c in changed})}
    return entry, calls


def make_plan(ctx: NetworkContext, only: list[str] | None = None, unsafe_allow: frozenset[str] = frozenset()) -> dict[str, Any] | None:
    """The plan dict (sealed with its hash), or None when nothing needs upgrading.
    Raises UnsafeError with the check report when a target is unsafe."""
    manifest = ctx.manifest_with_safe()
    names = [p.name for p in manifest.proxies]
    for n in only or []:
        if n not in names:
            raise InputError(f"--only {n}: no such proxy in the manifest (known: {', '.join(names)})")
    upgrades, calls, reports = [], [], []
    for record in manifest.proxies:
        if only and record.name not in only:
            continue
        target = target_artifact(ctx, record.name)
        if target.code_hash == record.implementation.code_hash:
            continue
        if not governed_by_safe(record, manifest):
            raise UnsafeError(f"cannot propose for {record.name}: its upgrades are authorised by {record.governor}, not the "
                              f"Safe {manifest.safe.address}; hand it to the Safe, or leave it out with --only")
        _verify_deployed(ctx, record, manifest.safe.address)
        allow = module_allow(ctx, record.name, unsafe_allow)
        verdict = upgrade_verdict(record.implementation.storage_layout, ctx.build_info, target.fqn, allow)
        reports.append(verdict)
        if not verdict["ok"]:
            continue
        entry, entry_calls = _upgrade_entry(ctx, record, target, verdict, allow)
        upgrades.append(entry)
        calls.extend(entry_calls)
    if any(not r["ok"] for r in reports):
        raise UnsafeError("upgrade refused: the checker rejects it", report={"ok": False, "contracts": reports})
    if not upgrades:
        return None
    safe = manifest.safe
    if len(calls) > 1 and not safe.multisend_call_only:
        raise InputError(f"the manifest records no MultiSendCallOnly for Safe {safe.address}, and this plan's {len(calls)} calls "
                         f"go through one: re-run `upgrader import --network {ctx.network.name} ... --multisend ADDRESS --force`")
    from upgrader.check.engine import parse_allowed
    from upgrader.governance import chain_of

    given = sorted(parse_allowed(unsafe_allow))  # only when given, so plans made without keep their hash
    return seal(chain_of(manifest).wrap(ctx.w3, manifest, {
        **({"unsafe_allow_command_line": given} if given else {}),  # a Timelock or Governor makes the Safe's calls one leg of several
        "schema": PLAN_SCHEMA,
        "network": ctx.network.name,
        "chain_id": ctx.chain_id,
        "safe": {"address": safe.address, "version": safe.version, "threshold": safe.threshold,
                 "owners": list(safe.owners), "multisend_call_only": safe.multisend_call_only},
        "manifest_hash": manifest_hash(manifest),
        "git": git_state(ctx.config.root),
        "upgrades": upgrades,
        "calls": calls,
    }))
