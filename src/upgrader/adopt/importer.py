"""``upgrader import``: the manifest of a live system, from the chain and the build.

Per proxy: its kind and implementation (``proxies.detect``), the build contract running
there (``match``), its storage layout (the build's; an OpenZeppelin manifest's when the
deployed version is not in today's build; or a git revision's build), and who governs it
(``governance``). Nothing is written unless every proxy is accounted for."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from upgrader.adopt import match, ozmanifest
from upgrader.adopt.governance import read_safe
from upgrader.adopt.multisend import find_multisend
from upgrader.adopt.creation import find_creation
from upgrader.adopt.naming import add_to_settings, free, module_name
from upgrader.adopt.sources import Candidate, from_forge_broadcast, from_pairs, from_settings, parse_address
from upgrader.build.artifacts import Artifact, code_hash
from upgrader.chain.rpc import code_at
from upgrader.errors import InputError, UnsafeError
from upgrader.manifest import Implementation, Manifest, ManifestStore, ProxyRecord, SafeRecord
from upgrader.manifest.layout import layout_snapshot
from upgrader.proxies import kind_of
from upgrader.proxies.detect import Detected, detect

if TYPE_CHECKING:
    from upgrader.stages.context import NetworkContext


@dataclass(frozen=True)
class ImportRequest:
    proxies: list[str] = field(default_factory=list)  # Name=0xADDR
    openzeppelin: Path | None = None
    forge_broadcast: Path | None = None
    layout_from: str | None = None  # git:<rev>
    safe: str | None = None
    multisend: str | None = None
    force: bool = False


@dataclass(frozen=True)
class ImportResult:
    path: Path
    manifest: Manifest
    notes: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path), "network": self.manifest.network, "chain_id": self.manifest.chain_id,
            "safe": self.manifest.safe.address, "notes": self.notes,
            "proxies": [{"name": p.name, "address": p.address, "kind": p.kind, "implementation": p.implementation.address,
                         "contract": p.implementation.contract, "admin": p.admin, "beacon": p.beacon,
                         "beacon_proxies": p.beacon_proxies, "governor": p.governor,
                         "governed_by_safe": p.governor is None or p.governor in self._through_safe()}
                        for p in self.manifest.proxies],
            "governance": self.manifest.governance.model_dump(mode="json") if self.manifest.governance else None,
        }

    def _through_safe(self) -> set[str]:
        """The Safe, and the Timelock the Safe reaches (upgrader.governance)."""
        g = self.manifest.governance
        return {self.manifest.safe.address, *([g.authority] if g else [])}


@dataclass
class _Builds:
    """Today's build, then (optionally) the build of a git revision."""

    infos: list[dict[str, Any]]
    artifacts: list[tuple[Artifact, dict[str, Any]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.artifacts = [(a, info) for info in self.infos for a in match.deployable(info)]

    def find(self, code: bytes, prefer: str | None) -> tuple[Artifact, dict[str, Any]] | None:
        for info in self.infos:
            art = match.matching(code, [a for a, i in self.artifacts if i is info], prefer)
            if art is not None:
                return art, info
        return None


def run_import(ctx: "NetworkContext", request: ImportRequest) -> ImportResult:
    store = ctx.store
    if store.exists() and not request.force:
        raise InputError(f"{store.path} exists; `upgrader status --network {ctx.network.name}` reads it, or pass --force to replace it")
    if ctx.network.chain_id is not None and ctx.network.chain_id != ctx.chain_id:
        raise InputError(f"network {ctx.network.name} is configured as chain {ctx.network.chain_id}, the node is chain {ctx.chain_id}")
    oz = ozmanifest.read(request.openzeppelin, ctx.chain_id) if request.openzeppelin else None
    candidates = _candidates(ctx, request, oz)
    builds = _Builds([ctx.build_info, *_git_builds(ctx, request.layout_from)])
    notes: list[str] = []
    recorded = _recorded_safe(ctx, request, notes)
    records: list[ProxyRecord] = []
    seen: dict[str, str] = {}  # address (proxy or beacon) -> record name
    for cand in candidates:
        found = _detect(ctx, cand)
        if found is None:
            continue
        unit = found.beacon or found.address
        if unit in seen:
            if cand.required and cand.name and cand.name != seen[unit]:
                raise InputError(f"--proxy {cand.name}: {cand.address} is already imported as {seen[unit]}"
                                 + (f" (same beacon {found.beacon})" if found.beacon else ""))
            continue
        record = _with_creation(ctx, cand, _record(ctx, cand, found, builds, oz, notes, taken={r.name for r in records}), notes)
        seen[unit] = record.name
        records.append(record)
    if not records:
        raise InputError("no proxy found among the given addresses; pass proxies with --proxy Name=0xADDRESS")
    records = [r.model_copy(update={"governor": kind_of(r).governor(ctx.w3, r)}) for r in records]
    from upgrader.governance.detect import detect as detect_chain  # a Timelock (and Governor) in front of the Safe

    governors = {r.governor for r in records if r.governor}
    chain = detect_chain(ctx.w3, governors, request.safe)
    if recorded and not chain.safe and not any(read_safe(ctx.w3, g) is not None for g in governors):
        # nothing on chain names a Safe (before handover): the replaced manifest's Safe; a Safe that
        # governs the proxies now (handed over outside upgrader) wins, as on a first import
        notes.append(f"the Safe {recorded} of the manifest being replaced is kept (pass --safe to choose another)")
        request = replace(request, safe=recorded)
        chain = detect_chain(ctx.w3, governors, request.safe)
    safe = _safe(ctx, replace(request, safe=request.safe or chain.safe), records)
    owner = chain.record.authority if chain.record else None
    notes += chain.notes + _governance_notes([r for r in records if owner is None or r.governor != owner], safe)
    manifest = Manifest(network=ctx.network.name, chain_id=ctx.chain_id, safe=safe, proxies=records, governance=chain.record)
    store.create(manifest, replace=request.force)
    notes += add_to_settings(ctx.config, [(r.name, r.address) for r in records])
    return ImportResult(store.path, manifest, notes)


def _candidates(ctx: "NetworkContext", request: ImportRequest, oz: ozmanifest.OzManifest | None) -> list[Candidate]:
    out = from_pairs(request.proxies) + from_settings(ctx.config.modules)
    if oz is not None:
        out += oz.candidates()
    if request.forge_broadcast is not None:
        out += from_forge_broadcast(request.forge_broadcast, ctx.chain_id)
    if not out:
        raise InputError("nothing to import: pass --proxy Name=0xADDRESS, --from-openzeppelin FILE or --from-forge-broadcast FILE, "
                         "or name proxies in the settings ([modules.Vault] proxy = \"0x…\")")
    return _with_file_claims(out)


def _with_file_claims(candidates: list[Candidate]) -> list[Candidate]:
    """A proxy named by --proxy or the settings (as the first import writes them) takes the
    creating transaction a file claims for its address, so that claim is still checked (and its
    correction noted) on a re-import, where the named candidate comes first."""
    claims: dict[str, Candidate] = {}
    for c in candidates:
        if c.deploy_tx:
            claims.setdefault(c.address, c)
    return [replace(c, deploy_tx=claim.deploy_tx, deploy_block=claim.deploy_block,
                    contract_name=c.contract_name or claim.contract_name)
            if not c.deploy_tx and (claim := claims.get(c.address)) is not None else c for c in candidates]


def _recorded_safe(ctx: "NetworkContext", request: ImportRequest, notes: list[str]) -> str | None:
    """``--force`` without ``--safe``: the Safe of the manifest being replaced, when it is still a
    Safe on this chain; used when nothing on chain names one (a re-import need not repeat --safe;
    an explicit --safe wins, and so does a Safe that governs the proxies now)."""
    if request.safe or not request.force or not ctx.store.exists():
        return None
    try:
        recorded = ctx.store.load(ctx.chain_id).safe.address
    except InputError:  # an unreadable manifest, or another chain's: the Safe is found as on a first import
        return None
    if read_safe(ctx.w3, recorded) is None:
        notes.append(f"the replaced manifest's Safe {recorded} is not a Safe on chain {ctx.chain_id}; the Safe is found anew")
        return None
    return recorded


def _with_creation(ctx: "NetworkContext", cand: Candidate, record: ProxyRecord, notes: list[str]) -> ProxyRecord:
    """The proxy's creating transaction and block as the chain says (a file's claim checked)."""
    claimed = cand.deploy_tx if cand.address == record.address else None
    creation, note = find_creation(ctx.w3, record.address, claimed)
    if note:
        notes.append(f"{record.name}: {note}")
    if creation is None:
        notes.append(f"{record.name}: its creation block cannot be read from this node (it keeps no old state); "
                     "`watch` and `sync` start from block 0 (or --from-block)")
        return record.model_copy(update={"deploy_tx": None, "deploy_block": None})
    return record.model_copy(update={"deploy_tx": creation.tx, "deploy_block": creation.block})


def _detect(ctx: "NetworkContext", cand: Candidate) -> Detected | None:
    try:
        return detect(ctx.w3, cand.address)
    except InputError:
        if cand.required:
            raise
        return None  # a broadcast's library, beacon or implementation: not a proxy itself


def _record(ctx: "NetworkContext", cand: Candidate, found: Detected, builds: _Builds, oz: Any, notes: list[str],
            taken: set[str]) -> ProxyRecord:
    code = code_at(ctx.w3, found.implementation)
    hit = builds.find(code, cand.name)
    shown = cand.name or found.address
    if hit is None:
        stored = oz.layout_of(found.implementation) if oz is not None else None
        near = match.closest(code, [a for a, _ in builds.artifacts])
        if stored is None:
            closest = f"; the closest is {near[0].fqn} ({near[1]:.0%} alike)" if near else ""
            compiler = match.compiler_hint(code, builds.infos[0])
            raise UnsafeError(f"{shown}: the code at implementation {found.implementation} matches no contract of the build{closest}"
                              + (compiler or "; build the revision that was deployed, or pass --layout-from git:<rev>"))
        return _from_oz_layout(cand, found, code, stored, oz.path, near[0].name if near else "Deployed", notes, taken)
    art, info = hit
    name = module_name(cand.name, [found.address, *found.beacon_proxies, *([found.beacon] if found.beacon else [])],
                       art.name, ctx.config.modules, cand.contract_name, taken)
    impl = Implementation(address=found.implementation, contract=art.fqn, code_hash=art.code_hash,
                          storage_layout=layout_snapshot(info, art.fqn))
    if info is not builds.infos[0]:
        notes.append(f"{name}: {art.fqn} and its layout come from the --layout-from build")
    return ProxyRecord(
        name=name, address=found.address, kind=found.kind, admin=found.admin, beacon=found.beacon,
        beacon_proxies=list(found.beacon_proxies), deploy_tx=cand.deploy_tx, deploy_block=cand.deploy_block,
        implementation=impl,
    )


def _from_oz_layout(cand: Candidate, found: Detected, code: bytes, stored: dict[str, Any], path: Path, like: str,
                    notes: list[str], taken: set[str]) -> ProxyRecord:
    """The deployed version is not in today's build, but OpenZeppelin's manifest stored its
    layout: record that layout, and the code as deployed (its immutables, unknown without its
    build, are hashed as they are), under the OZ manifest's name and the closest contract's."""
    from upgrader.adopt.ozlayout import convert

    name = cand.name or free(like, taken)
    contract = f"{path.name}:{like}"
    try:
        layout = convert(stored, contract)
    except (KeyError, ValueError, TypeError) as exc:
        raise InputError(f"{path}: the stored layout of {found.implementation} is unreadable ({exc}); the manifest is damaged") from None
    notes.append(f"{name}: the deployed code is not in today's build; its layout comes from {path.name} (closest contract: {like})")
    impl = Implementation(address=found.implementation, contract=contract, code_hash=code_hash(code), storage_layout=layout)
    return ProxyRecord(name=name, address=found.address, kind=found.kind, admin=found.admin, beacon=found.beacon,
                       beacon_proxies=list(found.beacon_proxies), deploy_tx=cand.deploy_tx, deploy_block=cand.deploy_block,
                       implementation=impl)


def _git_builds(ctx: "NetworkContext", layout_from: str | None) -> list[dict[str, Any]]:
    if not layout_from:
        return []
    if not layout_from.startswith("git:") or len(layout_from) <= 4:
        raise InputError(f"--layout-from {layout_from!r}: expected git:<rev>, e.g. git:v1.0.0")
    from upgrader.check.engine import git_reference_builds

    return [b.info for b in git_reference_builds(layout_from[4:], ctx.config.root).builds]


def _safe(ctx: "NetworkContext", request: ImportRequest, records: list[ProxyRecord]) -> SafeRecord:
    safe = _governing_safe(ctx, request, records)
    given = parse_address(request.multisend, "--multisend") if request.multisend else None
    return safe.model_copy(update={"multisend_call_only": find_multisend(ctx.w3, safe.version, given)})


def _governing_safe(ctx: "NetworkContext", request: ImportRequest, records: list[ProxyRecord]) -> SafeRecord:
    if request.safe:
        safe = read_safe(ctx.w3, parse_address(request.safe, "--safe"))
        if safe is None:
            raise InputError(f"--safe {request.safe}: no Safe at that address on chain {ctx.chain_id}")
        return safe
    governors = {r.governor for r in records if r.governor}
    safes = [s for g in sorted(governors) if (s := read_safe(ctx.w3, g)) is not None]
    if len(safes) > 1:
        raise InputError(f"these proxies are governed by {len(safes)} Safes ({', '.join(s.address for s in safes)}); "
                         "import each Safe's proxies separately, or choose one with --safe")
    if not safes:
        raise InputError("no Safe governs these proxies (their owners are not Safes); pass the Safe that will propose "
                         "with --safe (`upgrader safe create` makes one)")
    return safes[0]


def _governance_notes(records: list[ProxyRecord], safe: SafeRecord) -> list[str]:
    notes = []
    for r in records:
        if r.governor is None:
            notes.append(f"{r.name}: who may upgrade it cannot be read (no owner()); upgrader assumes the Safe {safe.address}")
        elif r.governor != safe.address:
            notes.append(f"{r.name}: upgraded by {r.governor}, not the Safe; `upgrader plan` cannot propose for it until `upgrader handover` gives it to the Safe")
    return notes
