"""Glob patterns for ``--exclude``, matched the way OpenZeppelin's validate matches them
(``minimatch`` with its default options): ``**`` as a whole path segment spans any number of
segments, ``*`` and ``?`` stay within one, ``{a,b}`` alternatives, ``[...]`` classes, and a
wildcard never matches a segment's leading dot. ``tests/checker/test_exclude.py`` holds this
to minimatch itself on generated patterns and paths."""

from __future__ import annotations

import re
from functools import lru_cache

# OpenZeppelin's defaultExclude (packages/core/src/cli/validate/default-exclude.ts)
DEFAULT_EXCLUDE = ("**/contracts/proxy/beacon/UpgradeableBeacon.sol",)


def matches(path: str, patterns: tuple[str, ...]) -> bool:
    return any(_compiled(pattern).fullmatch(path) for pattern in patterns)


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{_translate(p)})" for p in _braces(pattern)), re.DOTALL)


def _braces(pattern: str) -> list[str]:
    """``a{b,c}d`` -> ``abd``, ``acd`` (nested braces too); a brace without a comma stays literal."""
    depth, start = 0, -1
    for i, char in enumerate(pattern):
        if char == "{":
            if depth == 0:
                start = i
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            if depth == 0:
                options = _split_top(pattern[start + 1 : i])
                if len(options) < 2:
                    continue
                head, tail = pattern[:start], pattern[i + 1 :]
                return [expanded for option in options for expanded in _braces(head + option + tail)]
    return [pattern]


def _split_top(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += char == "{"
        depth -= char == "}" and depth > 0
        current += char
    return [*parts, current]


def _translate(pattern: str) -> str:
    segments = pattern.split("/")
    out: list[str] = []
    for k, segment in enumerate(segments):
        last = k == len(segments) - 1
        if segment == "**":
            # zero or more whole segments, none starting with a dot
            out.append("(?:(?!\\.)[^/]*/)*" if not last else "(?:(?!\\.)[^/]*(?:/(?!\\.)[^/]*)*)?")
            continue
        out.append(_segment(segment) + ("" if last else "/"))
    return "".join(out)


def _segment(segment: str) -> str:
    regex = "" if segment.startswith(".") else ("(?!\\.)" if segment[:1] in ("*", "?", "[") else "")
    i = 0
    while i < len(segment):
        char = segment[i]
        if char == "*":
            while i + 1 < len(segment) and segment[i + 1] == "*":
                i += 1
            regex += "[^/]*"
        elif char == "?":
            regex += "[^/]"
        elif char == "[":
            end = segment.find("]", i + 2)
            if end == -1:
                regex += "\\["
            else:
                body = segment[i + 1 : end]
                negate = body[:1] in ("!", "^")
                body = body[1:] if negate else body
                regex += "[" + ("^/" if negate else "") + body.replace("\\", "\\\\") + "]"
                i = end
        elif char == "\\" and i + 1 < len(segment):
            i += 1
            regex += re.escape(segment[i])
        else:
            regex += re.escape(char)
        i += 1
    return regex
