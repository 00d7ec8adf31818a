"""The suite's hypothesis profile (tests/conftest.py) has no deadline: an example slower than
hypothesis's default 200 ms deadline passes, as it must on a loaded CI machine."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st


def test_profile_has_no_deadline():
    assert settings.default.deadline is None


@settings(max_examples=2, database=None)
@given(st.integers())
def test_a_slow_example_is_not_a_failure(n: int) -> None:
    time.sleep(0.3)  # over the default deadline (200 ms, 250 ms with hypothesis's grace)
