"""NatSpec of solc AST nodes, read the two ways OpenZeppelin reads it.

- ``annotation_args``/``has_tag``: the whitespace-separated arguments of ``@custom:<tag>``
  blocks, a block running to the next line that starts with ``@word`` (upgrades-core
  ``packages/core/src/utils/annotations.ts`` getAnnotationArgs / hasAnnotationTag).
- ``tag_value``/``tag_values``: the text after ``@custom:<tag>`` on its line, kept whole
  (a type such as ``mapping(address => uint256)`` in ``@custom:oz-retyped-from``; upgrades-core
  ``packages/core/src/storage/extract.ts`` getRetypedRenamed trims the tag's text).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_BLOCK_START = re.compile(r"\s*@\w", re.ASCII)
_TAGGED = re.compile(r"\s*@(?P<title>\w+)(?::(?P<tag>[a-z][a-z-]*))? (?P<rest>.*)", re.ASCII)


def documentation(node: dict[str, Any]) -> str:
    """A node's NatSpec text: ``documentation`` is a StructuredDocumentation node, or a plain
    string on contracts compiled by old solc versions."""
    doc = node.get("documentation")
    if isinstance(doc, dict):
        return str(doc.get("text") or "")
    return doc if isinstance(doc, str) else ""


def annotation_args(doc: str, tag: str) -> list[str]:
    """The whitespace-separated arguments of every ``@custom:<tag>`` block in ``doc``.

    A block runs from a line starting with ``@custom:<tag> `` (a space, not a line end, after
    the tag, as in OpenZeppelin) to the next line that starts with ``@word``."""
    blocks: list[str] = []
    inside = False
    for line in doc.split("\n"):
        if _BLOCK_START.match(line):
            match = _TAGGED.match(line)
            inside = match is not None and match["title"] == "custom" and match["tag"] == tag
            if inside and match is not None:
                blocks.append(match["rest"])
        elif inside:
            blocks[-1] += " " + line
    return [word for block in blocks for word in block.split()]


def has_tag(doc: str, tag: str) -> bool:
    return _tag_line(tag).search(doc) is not None


def tag_values(node: dict[str, Any], tag: str) -> list[str]:
    """The text after every ``@custom:<tag>`` in a node's NatSpec, to the line's end (or an ``@``)."""
    return [m.group(1).strip() for m in _tag_value(tag).finditer(documentation(node))]


def tag_value(node: dict[str, Any], tag: str) -> str | None:
    values = tag_values(node, tag)
    return values[0] if values else None


@lru_cache(maxsize=None)
def _tag_line(tag: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*@custom:{re.escape(tag)}(\s|$)", re.MULTILINE)


@lru_cache(maxsize=None)
def _tag_value(tag: str) -> re.Pattern[str]:
    return re.compile(rf"@custom:{re.escape(tag)}[ \t]+([^\n@]*)")
