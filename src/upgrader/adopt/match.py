"""Which build contract runs at an address: equal runtime code once the metadata trailer is
cut and the contract's immutables are zeroed (``build.artifacts.code_hash``, as ``status``
compares), and, when nothing matches, the closest contract to name in the error."""

from __future__ import annotations

from typing import Any

from upgrader.build.artifacts import Artifact, all_artifacts, code_hash, normalize_code, strip_metadata


def deployable(build_info: dict[str, Any]) -> list[Artifact]:
    return [a for a in all_artifacts(build_info) if a.runtime]


def matching(code: bytes, artifacts: list[Artifact], prefer: str | None = None) -> Artifact | None:
    """The contract whose code this is; of several identical ones, the one named ``prefer``,
    else the first by name (ties are the same program)."""
    found = sorted((a for a in artifacts if code_hash(code, a.immutable_ranges) == a.code_hash), key=lambda a: a.fqn)
    if not found:
        return None
    return next((a for a in found if a.name == prefer), found[0])


SOLC_KEY = b"\x64solc\x43"  # CBOR: text "solc", then 3 bytes (major, minor, patch) of a release build


def compiler_of(code: bytes) -> str | None:
    """The solc release that compiled ``code``, as its CBOR metadata trailer says (solc docs,
    "Encoding of the Metadata Hash in the Bytecode": ``{"solc": <3 bytes>}``), or None."""
    trailer = code[len(strip_metadata(code)):]
    at = trailer.find(SOLC_KEY)
    if at < 0 or at + len(SOLC_KEY) + 3 > len(trailer):
        return None
    return ".".join(str(b) for b in trailer[at + len(SOLC_KEY): at + len(SOLC_KEY) + 3])


def compiler_hint(code: bytes, build_info: dict[str, Any]) -> str:
    """``; the deployed code was compiled by solc X, this build by Y: ...`` when they differ, else ''
    (the same sources compiled by another solc match nothing, and nothing else says why)."""
    deployed, built = compiler_of(code), str(build_info.get("solcVersion") or "")
    if not deployed or not built or deployed == built.split("+")[0]:
        return ""
    return (f"; the deployed code was compiled by solc {deployed}, this build by solc {built}: pin {deployed} in the "
            f"project's compiler settings (e.g. foundry.toml `solc = \"{deployed}\"`, or FOUNDRY_SOLC=$(upgrader solc path {deployed}) "
            "for forge and upgrader alike)")


SHINGLE = 8  # bytes: long enough that shared pieces are shared code, not shared opcodes


def _shingles(code: bytes) -> set[bytes]:
    return {code[i : i + SHINGLE] for i in range(max(0, len(code) - SHINGLE + 1))}


def closest(code: bytes, artifacts: list[Artifact]) -> tuple[Artifact, float] | None:
    """The most similar contract and how similar (0..1): Jaccard similarity of the 8-byte
    pieces of the normalised code (linear in code size; edits shift code, pieces survive)."""
    best: tuple[Artifact, float] | None = None
    for art in artifacts:
        mine, theirs = _shingles(normalize_code(code, art.immutable_ranges)), _shingles(art.normalize(art.runtime))
        ratio = len(mine & theirs) / max(1, len(mine | theirs))
        if best is None or ratio > best[1]:
            best = (art, ratio)
    return best
