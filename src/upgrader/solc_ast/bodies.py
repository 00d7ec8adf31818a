"""Function and modifier bodies kept as JSON text until a rule reads them (issue 19).

Bodies are most of a solc AST (two thirds of a generated build's, four fifths of a forge
build of OpenZeppelin tokens) and the checker reads few of them: constructors, initializers
and what they call, ``_authorizeUpgrade``, and, only where the build holds a bare
``delegatecall`` or ``selfdestruct`` at all, the code reachable from a contract. So
``buildinfo`` decodes each source's AST without its bodies: the body of every function,
modifier and free function is cut out of the text and left in its node as an ``Unread``, and
``body(node)`` decodes it in place the first time it is asked for.

An ``Unread`` is no mapping: code that reads ``node["body"]`` without ``body(node)`` fails
loudly instead of seeing an empty body.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
from msgspec import UNSET, Raw, Struct, UnsetType

Node = dict[str, Any]


class Unread:
    """A body's JSON text, decoded by ``body``."""

    __slots__ = ("text", "where")

    def __init__(self, text: bytes, where: Path) -> None:
        self.text = text
        self.where = where

    def __repr__(self) -> str:
        return f"Unread({len(self.text)} bytes)"


def body(node: Node) -> Any:
    """``node["body"]`` (None without one), decoded now if it was left unread."""
    value = node.get("body")
    if type(value) is Unread:
        from upgrader.solc_ast.buildinfo import decode_json

        value = node["body"] = decode_json(value.text, value.where)
    return value


def read_all(node: Node) -> Node:
    """``node`` with the bodies of its members (a contract's) and its own decoded, for a walk
    over the whole subtree."""
    body(node)
    for member in node.get("nodes") or ():
        if type(member) is dict:
            body(member)
    return node


# -- cutting the bodies out -------------------------------------------------------------------


class _Member(Struct):
    body: Raw | UnsetType = UNSET


class _Top(Struct):
    body: Raw | UnsetType = UNSET  # a free function's
    nodes: list[_Member] | UnsetType = UNSET  # a contract's members


class _Unit(Struct):
    nodes: list[_Top] | UnsetType = UNSET


_UNIT = msgspec.json.Decoder(_Unit)
_ANY = msgspec.json.Decoder()


def without_bodies(text: bytes, where: Path) -> Node | None:
    """The source unit AST in ``text`` with each body an ``Unread``; None when the text is not
    shaped so (the caller decodes it whole, with that decoder's errors)."""
    try:
        unit = _UNIT.decode(text)
    except (msgspec.DecodeError, RecursionError):
        return None
    places: list[tuple[int, int, int]] = []  # (top, member or -1, start) of each body, in text order
    parts: list[bytes] = []
    texts: list[bytes] = []
    position = 0
    for t, top in enumerate(unit.nodes or ()):
        owners = [(-1, top.body)] + [(m, member.body) for m, member in enumerate(top.nodes or ())]
        for m, raw in owners:
            if raw is UNSET:
                continue
            piece = bytes(raw)
            if not piece.startswith(b"{"):  # null: nothing to defer
                continue
            start = text.find(piece[:64], position)  # its id is in there: a short needle is found as surely
            if start < 0 or not text.startswith(piece, start):
                return None
            parts += [text[position:start], b"%d" % -(len(texts) + 1)]
            texts.append(piece)
            places.append((t, m, start))
            position = start + len(piece)
    if not texts:
        return None
    parts.append(text[position:])
    try:
        ast = _ANY.decode(b"".join(parts))
        tops = ast["nodes"]
        for k, (t, m, _) in enumerate(places):
            owner = tops[t] if m < 0 else tops[t]["nodes"][m]
            if owner["body"] != -(k + 1):  # each cut is where it was taken from, or the whole text is read
                return None
            owner["body"] = Unread(texts[k], where)
    except (msgspec.DecodeError, RecursionError, KeyError, IndexError, TypeError):
        return None
    return ast  # type: ignore[no-any-return]
