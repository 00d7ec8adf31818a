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
    n, m = len(original), len(updated)
    if n == 0 or m == 0:
        return [Edit("delete", a, None) for a in original] + [Edit("insert", None, b) for b in updated]
    changes: list[list[C | None]] = [[None] * m for _ in range(n)]
    prev = [j * INSERTION for j in range(m + 1)]
    rows = [prev]
    for i in range(1, n + 1):
        row = [i * DELETION] + [0] * m
        a = original[i - 1]
        row_changes = changes[i - 1]
        for j in range(1, m + 1):
            c = change(a, updated[j - 1])
            row_changes[j - 1] = c
            best = prev[j - 1] + _cost(c)
            best = min(best, prev[j] + DELETION, row[j - 1] + INSERTION)
            row[j] = best
        rows.append(row)
        prev = row
    return _trace(rows, changes, original, updated)


def _trace(rows, changes, original, updated):  # type: ignore[no-untyped-def]
    i, j = len(original), len(updated)
    edits = []
    while i > 0 or j > 0:
        if i > 0 and j > 0:
            c = changes[i - 1][j - 1]
            step = _cost(c)
            if rows[i][j] == rows[i - 1][j - 1] + step:
                kind = "keep" if c is None else "change"
                edits.append(Edit(kind, original[i - 1], updated[j - 1], c))
                i, j = i - 1, j - 1
                continue
        if j > 0 and rows[i][j] == rows[i][j - 1] + INSERTION:
            edits.append(Edit("insert", None, updated[j - 1]))
            j -= 1
        else:
            edits.append(Edit("delete", original[i - 1], None))
            i -= 1
    edits.reverse()
    return edits
