"""The strict reader against Python's own: any JSON value within the limits reads back equal,
and the bracket scan's depth is the true depth, whatever brackets, quotes and backslashes the
strings hold (the scan cuts strings out without parsing them)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from upgrader.errors import InputError
from upgrader.inputs import parse_json_text
from upgrader.inputs.strict_json import _unescaped, max_depth

tricky_text = st.lists(st.sampled_from(list('[]{}"\\ab09,:') + ["\n", "é", "😀", "\\u", "\\\\"]), max_size=12).map("".join)
scalars = st.none() | st.booleans() | st.integers(-(2**255), 2**256 - 1) | tricky_text
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(tricky_text, inner, max_size=4),
                      max_leaves=30)


def depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0


@settings(max_examples=120, deadline=None)
@given(value=values, indent=st.sampled_from([None, 1]))
def test_reads_back_equal_and_depth_is_exact(value, indent):
    text = json.dumps(value, indent=indent, ensure_ascii=bool(indent))
    assert max_depth(_unescaped(text.encode())) == depth(value)
    assert parse_json_text(text, "t") == value


@settings(max_examples=40, deadline=None)
@given(value=values, extra=st.integers(1, 10))
def test_deeper_than_the_limit_is_refused(value, extra):
    limit = depth(value) + extra - 1
    wrapped = "[" * extra + json.dumps(value) + "]" * extra
    from upgrader.inputs.files import FileKind

    with pytest.raises(InputError, match="nested"):
        parse_json_text(wrapped, "t", FileKind("test", 1 << 20, limit))
