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


def _script_cost(edits: list) -> int:  # type: ignore[type-arg]
    from upgrader.layout.levenshtein import DELETION, INSERTION, SUBSTITUTION

    costs = {"keep": 0, "change": SUBSTITUTION, "insert": INSERTION, "append": INSERTION, "delete": DELETION}
    return sum(costs[e.kind] for e in edits)


def _reference_cost(a: str, b: str) -> int:
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        for j in range(len(b) + 1):
            if i == 0 or j == 0:
                d[i][j] = 2 * (i + j)
            else:
                d[i][j] = min(d[i - 1][j - 1] + (0 if a[i - 1] == b[j - 1] else 3), d[i - 1][j] + 2, d[i][j - 1] + 2)
    return d[len(a)][len(b)]


from hypothesis import given, strategies as st  # noqa: E402


@given(st.text("abcd", max_size=60), st.text("abcd", max_size=60))
def test_banded_search_finds_an_optimal_script(a: str, b: str) -> None:
    edits = levenshtein(list(a), list(b), same)
    assert "".join(e.updated for e in edits if e.updated is not None) == b
    assert "".join(e.original for e in edits if e.original is not None) == a
    assert _script_cost(edits) == _reference_cost(a, b)
