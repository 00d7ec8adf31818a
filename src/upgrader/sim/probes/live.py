"""The probes for an implementation that changed outside a plan (``watch``): on the live chain,
read-only (``eth_call`` from a stranger, nothing sent), is the new code a contract of this
build (provenance: the runtime code with immutables and metadata masked, as the manifest
records code hashes; not built here says so), can a stranger initialize the implementation
itself (``sim.locks``), and can a stranger initialize the proxy now (``sim.probes.reopen``)."""

from __future__ import annotations

from typing import Any

from eth_utils import to_checksum_address

from upgrader.build.artifacts import all_artifacts, code_hash
from upgrader.sim import locks
from upgrader.sim.probes import Upgraded, reopen


def _masked(code: bytes, art: Any) -> bytes:
    buf = bytearray(code)
    for start, length in art.immutable_ranges:
        buf[start : start + length] = bytes(length)
    return bytes(buf)


def probe_implementation(w3: Any, build_info: dict[str, Any], record: Any, impl: str) -> dict[str, Any]:
    """{"built": fqn | None, "ok": bool, "problems": [...], "notes": [...]}"""
    code = bytes(w3.eth.get_code(to_checksum_address(impl)))
    same_size = [a for a in all_artifacts(build_info) if a.runtime and len(a.runtime) == len(code)]
    # the build's own bytes first (metadata included: two sources can compile to one code), then masked
    art = next((a for a in same_size if _masked(code, a) == _masked(a.runtime, a)), None) or next(
        (a for a in same_size if code_hash(code, a.immutable_ranges) == a.code_hash), None)
    if art is None:
        return {"built": None, "ok": False, "problems": [f"{impl} is not built here: no contract of this build has its code"],
                "notes": []}
    problems, notes = [], [f"{impl} is {art.fqn} of this build"]
    lock = locks.judged(locks.probe(w3, impl, build_info, art.fqn, art.abi), build_info, art.fqn, frozenset())  # no plan: nothing allowed
    (notes if lock.ok else problems).append(f"implementation: {lock.detail}")
    for f in reopen.probe(w3, Upgraded(record, art.fqn, art.abi), build_info, moment="now"):
        (notes if f.ok else problems).append(f"proxy {f.proxy}: {f.detail}")
    return {"built": art.fqn, "ok": not problems, "problems": problems, "notes": notes}
