"""Which solc 0.8.x a project needs when it pins none: the highest version that every
``pragma solidity`` in its sources accepts, preferring versions already installed (as
Foundry's auto-detection does), else the newest npm ``solc`` release that fits."""

from __future__ import annotations

import re

from upgrader.build import solc
from upgrader.errors import InputError

Version = tuple[int, int, int]
_PRAGMA = re.compile(r"^\s*pragma\s+solidity\s+([^;]+);", re.MULTILINE)
_CLAUSE = re.compile(r"(\^|~|>=|<=|>|<|=)?\s*v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?")


def parse(version: str) -> Version:
    major, minor, patch = (int(p) for p in version.split("+")[0].split("-")[0].split("."))
    return major, minor, patch


def satisfies(version: Version, constraint: str) -> bool:
    """npm-style semver as solc reads pragmas: ``||`` alternatives of space-separated clauses
    (``^``, ``~``, comparisons, exact, ``x`` wildcards, ``a - b`` ranges)."""
    return any(_all_clauses(version, alt.strip()) for alt in constraint.split("||"))


def _all_clauses(version: Version, alternative: str) -> bool:
    if " - " in alternative:
        low, high = alternative.split(" - ", 1)
        return _all_clauses(version, f">={low.strip()} <={high.strip()}")
    text = alternative
    while text.strip():
        match = _CLAUSE.match(text.strip())
        if not match or not match.group(0):
            raise InputError(f"cannot read the solidity pragma {alternative!r}; pin solc in the project config")
        if not _clause(version, match.group(1) or "=", match.groups()[1:]):
            return False
        text = text.strip()[match.end():]
    return True


def _clause(v: Version, op: str, parts: tuple[str | None, ...]) -> bool:
    nums = [int(p) if p is not None and p.isdigit() else None for p in parts]
    major, minor, patch = nums[0] or 0, nums[1], nums[2]
    if minor is None or patch is None:  # 0.8 / 0.8.x: a range over the missing parts
        low = (major, minor or 0, 0)
        high = (major, minor + 1, 0) if minor is not None else (major + 1, 0, 0)
        match op:
            case "=" | "^" | "~":
                return low <= v < high
            case ">=":
                return v >= low
            case ">":
                return v >= high
            case "<":
                return v < low
            case _:  # "<="
                return v < high
    base = (major, minor, patch)
    match op:
        case "=":
            return v == base
        case "^":  # the leftmost non-zero part is fixed
            high = (major + 1, 0, 0) if major else (0, minor + 1, 0) if minor else (0, 0, patch + 1)
            return base <= v < high
        case "~":
            return base <= v < (major, minor + 1, 0)
        case ">=":
            return v >= base
        case ">":
            return v > base
        case "<=":
            return v <= base
        case _:  # "<"
            return v < base


def pragmas(sources: dict[str, str]) -> dict[str, str]:
    """unit name -> its ``pragma solidity`` constraint (units without one are left out)."""
    out = {}
    for unit, text in sources.items():
        found = _PRAGMA.findall(text)
        if found:
            out[unit] = " ".join(c.strip() for c in found)
    return out


def from_pragmas(sources: dict[str, str]) -> str:
    constraints = pragmas(sources)
    for pool in (solc.installed_versions, solc.released_versions):  # the registry only when needed
        fits = sorted(v for v in map(parse, pool()) if v[:2] == (0, 8) and all(satisfies(v, c) for c in constraints.values()))
        if fits:
            return ".".join(map(str, fits[-1]))
    shown = "; ".join(f"{u}: {c}" for u, c in sorted(constraints.items())[:3])
    raise InputError(f"no solc 0.8.x release satisfies every pragma ({shown}); pin a version in the project config")
