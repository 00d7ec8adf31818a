"""Edit distance between two sequences, with a caller-supplied per-item change function.

Knows nothing about storage. ``change(a, b)`` returns None when ``b`` may stand in place of
``a`` unchanged (free), or a change object whose ``cost`` attribute (default: a full
substitution) says how much the pairing costs. The common prefix and suffix are
matched first, so the quadratic part only sees the region that actually differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generic, Literal, Sequence, TypeVar

A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")

EditKind = Literal["keep", "change", "insert", "append", "delete"]

INSERTION = 2
DELETION = 2
SUBSTITUTION = 3  # less than delete + insert: a changed item is reported as one change


@dataclass(frozen=True)
class Edit(Generic[A, B, C]):
    kind: EditKind
    original: A | None
    updated: B | None
    change: C | None = None


def _cost(change: object) -> int:
    return 0 if change is None else int(getattr(change, "cost", SUBSTITUTION))


def _is_free(change: object) -> bool:
    return _cost(change) == 0


def levenshtein(
    original: Sequence[A], updated: Sequence[B], change: Callable[[A, B], C | None]
) -> list[Edit[A, B, C]]:
    """The cheapest edit script turning ``original`` into ``updated``, in order."""
    n, m = len(original), len(updated)
    prefix: list[Edit[A, B, C]] = []
    while len(prefix) < min(n, m):
        i = len(prefix)
        c = change(original[i], updated[i])
        if not _is_free(c):
            break
        prefix.append(Edit("keep" if c is None else "change", original[i], updated[i], c))
    start = len(prefix)
    suffix: list[Edit[A, B, C]] = []
    while start + len(suffix) < min(n, m):
        k = len(suffix) + 1
        c = change(original[n - k], updated[m - k])
        if not _is_free(c):
            break
        suffix.append(Edit("keep" if c is None else "change", original[n - k], updated[m - k], c))
    suffix.reverse()
    middle = _dp(original[start : n - len(suffix)], updated[start : m - len(suffix)], change)
    if not suffix:  # insertions at the very end are appends
        for pos in range(len(middle) - 1, -1, -1):
            if middle[pos].kind != "insert":
                break
            middle[pos] = Edit("append", None, middle[pos].updated)
    return prefix + middle + suffix


def _dp(original: Sequence[A], updated: Sequence[B], change: Callable[[A, B], C | None]) -> list[Edit[A, B, C]]:
    """Ukkonen's banded edit distance: only diagonals near the main one are computed, and
    the band doubles until no path outside it could be cheaper than the one found inside."""
    n, m = len(original), len(updated)
    if n == 0 or m == 0:
        return [Edit("delete", a, None) for a in original] + [Edit("insert", None, b) for b in updated]
    k = 8
    while True:
        lo, hi = min(0, m - n) - k, max(0, m - n) + k
        rows, changes = _band(original, updated, change, lo, hi)
        exact = lo <= -n and hi >= m
        # leaving the band takes k+1 extra insertions and deletions each
        if exact or rows[n][m - n - lo] < (INSERTION + DELETION) * (k + 1) + min(INSERTION, DELETION) * abs(m - n):
            return _trace(rows, changes, original, updated, lo)
        k *= 2


_FAR = 1 << 62


def _band(original, updated, change, lo, hi):  # type: ignore[no-untyped-def]
    n, m = len(original), len(updated)
    width = hi - lo + 1
    rows: list[list[int]] = []
    changes: list[list[object]] = []
    for i in range(n + 1):
        row = [_FAR] * width
        row_changes: list[object] = [None] * width
        prev = rows[i - 1] if i else row
        a = original[i - 1] if i else None
        for j in range(max(0, i + lo), min(m, i + hi) + 1):
            idx = j - i - lo
            if i == 0 or j == 0:
                row[idx] = j * INSERTION + i * DELETION
                continue
            c = change(a, updated[j - 1])  # type: ignore[arg-type]
            row_changes[idx] = c
            best = prev[idx] + _cost(c)
            if idx + 1 < width and prev[idx + 1] + DELETION < best:
                best = prev[idx + 1] + DELETION
            if idx and row[idx - 1] + INSERTION < best:
                best = row[idx - 1] + INSERTION
            row[idx] = best
        rows.append(row)
        changes.append(row_changes)
    return rows, changes


def _trace(rows, changes, original, updated, lo):  # type: ignore[no-untyped-def]
    i, j = len(original), len(updated)
    edits = []
    while i > 0 or j > 0:
        idx = j - i - lo
        if i > 0 and j > 0:
            c = changes[i][idx]
            if rows[i][idx] == rows[i - 1][idx] + _cost(c):
                kind = "keep" if c is None else "change"
                edits.append(Edit(kind, original[i - 1], updated[j - 1], c))
                i, j = i - 1, j - 1
                continue
        if j > 0 and idx > 0 and rows[i][idx] == rows[i][idx - 1] + INSERTION:
            edits.append(Edit("insert", None, updated[j - 1]))
            j -= 1
        else:
            edits.append(Edit("delete", original[i - 1], None))
            i -= 1
    edits.reverse()
    return edits
