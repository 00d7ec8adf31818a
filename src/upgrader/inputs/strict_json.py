"""JSON as a hostile sender may write it, parsed only once it is known to be harmless.

Before Python's recursive parser sees the text, one pass over its structure (strings cut out,
escapes first) refuses:
- nesting deeper than the limit of the file's kind (a RecursionError otherwise, or a walk
  later that overflows);
- integers with more digits than any uint256 has (78): Python refuses 4,300+ digits with a
  ValueError and parses fewer slowly, and no field of ours is wider than 256 bits;
- lone UTF-16 surrogate escapes (``"\\ud800"``), which no UTF-8 writer can reproduce.
The parse itself refuses duplicate keys (two readers could pick different values) and
``NaN``/``Infinity`` (not JSON). Every failure is an ``InputError`` of one line.

The scan works on bytes with C-level operations (``replace``, ``split``, ``translate``) so that
a 100 MB build-info costs a fraction of its parse."""

from __future__ import annotations

import json
import re
from array import array
from itertools import accumulate
from typing import Any

from upgrader.errors import InputError
from upgrader.inputs.files import FileKind, kind_of, read_regular

MAX_INT_DIGITS = 78  # len(str(2**256 - 1))
_LONG_NUMBER = re.compile(rb"[0-9]{%d,}" % (MAX_INT_DIGITS + 1))
_LONE_SURROGATE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
_BRACKETS = b"[]{}"
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _BRACKETS)
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 / -1 as signed bytes


class DuplicateKey(ValueError):
    pass


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return obj


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def structure_of(raw: bytes) -> bytes:
    """The text outside JSON strings (escapes removed first, so ``"\\""`` ends where it should)."""
    text = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    return b"".join(text.split(b'"')[::2])


def max_depth(outside: bytes) -> int:
    steps = outside.translate(None, _NOT_BRACKETS).translate(_STEPS)
    return max(accumulate(array("b", steps)), default=0) if steps else 0


def check_structure(raw: bytes, where: str, depth_limit: int) -> None:
    """Refuse what would make the parse or a later walk fail (see the module doc)."""
    if b"\\u" in raw and _LONE_SURROGATE.search(raw.replace(b"\\\\", b"")):
        raise InputError(f"{where}: a string holds a lone UTF-16 surrogate escape (\\ud800-\\udfff); it is not text")
    outside = structure_of(raw)
    long = _LONG_NUMBER.search(outside)
    if long:
        raise InputError(f"{where}: a number with {_digits_at(outside, long.start())} digits; no field holds more than {MAX_INT_DIGITS} (uint256)")
    depth = max_depth(outside)
    if depth > depth_limit:
        raise InputError(f"{where}: JSON nested {depth} levels deep, over the limit of {depth_limit}")


def _digits_at(text: bytes, start: int) -> int:
    end = start
    while end < len(text) and 48 <= text[end] <= 57:
        end += 1
    return end - start


def parse_json_bytes(raw: bytes, where: str, kind: str | FileKind = "json-text", hint: str | None = None) -> Any:
    """Strict JSON from UTF-8 bytes (a leading BOM is skipped); ``where`` names the input in
    messages and ``hint`` says what to do (default: the kind's)."""
    k = kind_of(kind)
    tail = f"; {hint or k.hint}" if (hint or k.hint) else ""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{where} is not UTF-8 text (byte {exc.start}){tail}") from None
    return parse_json_text(text, where, k, hint, raw)


def parse_json_text(text: str, where: str, kind: str | FileKind = "json-text", hint: str | None = None,
                    raw: bytes | None = None) -> Any:
    """Strict JSON from text, e.g. a JSON-encoded argument inside a batch file."""
    k = kind_of(kind)
    tail = f"; {hint or k.hint}" if (hint or k.hint) else ""
    text = text.removeprefix("\ufeff")
    try:
        data = raw if raw is not None and not raw.startswith(b"\xef\xbb\xbf") else text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{where}: the text holds a lone UTF-16 surrogate; it is not valid text{tail}") from None
    if len(data) > k.max_bytes:
        raise InputError(f"{where} is {len(data)} bytes, over the limit of {k.max_bytes} for a {k.name}")
    check_structure(data, where, k.max_depth)
    try:
        return json.loads(text, object_pairs_hook=_object, parse_constant=_constant)
    except DuplicateKey as exc:
        raise InputError(f"{where}: the key {str(exc)!r} appears twice in one object; readers would disagree on its value{tail}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{where} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}){tail}") from None
    except (ValueError, RecursionError) as exc:  # the structure check should have caught these
        raise InputError(f"{where} is not acceptable JSON ({type(exc).__name__}: {str(exc)[:80]}){tail}") from None


def read_json(path: Any, kind: str | FileKind = "proposal", missing: str | None = None, hint: str | None = None) -> Any:
    """A regular file of this kind, parsed as strict JSON (see ``files.read_regular``)."""
    return parse_json_bytes(read_regular(path, kind, missing), str(path), kind, hint)
