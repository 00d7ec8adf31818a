from __future__ import annotations

from upgrader.layout.levenshtein import levenshtein


def same(a: str, b: str) -> str | None:
    return None if a == b else f"{a}->{b}"


def kinds(a: str, b: str) -> list[str]:
    return [e.kind for e in levenshtein(list(a), list(b), same)]


def test_one_insertion_is_one_insertion_not_a_cascade() -> None:
    assert kinds("abcdef", "abXcdef") == ["keep", "keep", "insert", "keep", "keep", "keep", "keep"]


def test_trailing_insertions_are_appends() -> None:
    assert kinds("ab", "abcd") == ["keep", "keep", "append", "append"]
    assert kinds("", "xy") == ["append", "append"]


def test_deletions_and_substitutions() -> None:
    assert kinds("abc", "ac") == ["keep", "delete", "keep"]
    assert kinds("abc", "aXc") == ["keep", "change", "keep"]
    edits = levenshtein(list("abc"), list("aXc"), same)
    assert edits[1].change == "b->X"


def test_free_changes_cost_nothing() -> None:
    class Free:
        cost = 0

    edits = levenshtein(["a", "b"], ["A", "B"], lambda a, b: Free() if a.upper() == b else "x")
    assert [e.kind for e in edits] == ["change", "change"]
