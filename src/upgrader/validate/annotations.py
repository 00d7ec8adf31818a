"""NatSpec annotations that relax the rules, read exactly as OpenZeppelin reads them.

``@custom:oz-upgrades-unsafe-allow <kinds...>`` allows a kind in the annotated node itself
(contract, function, constructor, modifier or variable); ``@custom:oz-upgrades-unsafe-allow-reachable
<kinds...>`` also allows it in everything reached from there. In the lexical scope of a node
both tags count (OpenZeppelin's ``skipCheck``); only the ``-reachable`` tag stops the walk into
callees. ``@custom:upgrader-unsafe-allow`` is an alias of the first that OpenZeppelin's tools
ignore (they fail on kinds they do not know, such as ``missing-disable-initializers``).
"""

from __future__ import annotations

import re
from typing import Any

from upgrader.errors import InputError

ALLOW = "oz-upgrades-unsafe-allow"
ALLOW_REACHABLE = "oz-upgrades-unsafe-allow-reachable"
# Same meaning as ALLOW. OpenZeppelin rejects kinds it does not know in its own tags, so our
# three kinds are best allowed under this tag in projects that also run OpenZeppelin's checks.
OWN_ALLOW = "upgrader-unsafe-allow"

_BLOCK_START = re.compile(r"\s*@\w", re.ASCII)
_TAGGED = re.compile(r"\s*@(?P<title>\w+)(?::(?P<tag>[a-z][a-z-]*))? (?P<rest>.*)", re.ASCII)


def documentation(node: dict[str, Any]) -> str:
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
    return re.search(rf"^\s*@custom:{re.escape(tag)}(\s|$)", doc, re.MULTILINE) is not None


def allowed_kinds(node: dict[str, Any], tag: str, known: frozenset[str], where: str) -> frozenset[str]:
    """Kinds listed under ``tag`` on ``node``; an unknown kind is an input error, as in OpenZeppelin."""
    args = annotation_args(documentation(node), tag)
    unknown = sorted(set(args) - known)
    if unknown:
        raise InputError(
            f"{where}: @custom:{tag} argument not recognized: {', '.join(unknown)} "
            f"(known kinds: {', '.join(sorted(known))})"
        )
    return frozenset(args)
