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
_DIGITS_ONLY = bytes(48 if 48 <= b <= 57 else 46 for b in range(256))  # digit -> "0", else "."
_DIGIT_RUN = b"0" * (MAX_INT_DIGITS + 1)
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_QUOTES_AND_BRACKETS = b'"[]{}'
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in _QUOTES_AND_BRACKETS)
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


def _unescaped(raw: bytes) -> bytes:
    """The text with escaped backslashes and escaped quotes removed: every '"' left opens or
    closes a string."""
    return raw.replace(b"\\\\", b"").replace(b'\\"', b"")


def max_depth(unescaped: bytes) -> int:
    """The deepest nesting of brackets outside strings (``unescaped``: see ``_unescaped``)."""
    skeleton = unescaped.translate(None, _NOT_STRUCTURE)  # quotes and brackets only: small
    steps = b"".join(skeleton.split(b'"')[::2]).translate(_STEPS)
    return max(accumulate(array("b", steps)), default=0) if steps else 0


def _lone_surrogate(unescaped_backslashes: bytes) -> bool:
    for m in _SURROGATE.finditer(unescaped_backslashes):
        unit = int(m.group()[2:], 16)
        end = m.end()
        after = unescaped_backslashes[end:end + 6]
        before = unescaped_backslashes[max(0, m.start() - 6):m.start()]
        if unit < 0xDC00:  # high: a low must follow
            if not (after[:2] == b"\\u" and _SURROGATE.fullmatch(after) and int(after[2:], 16) >= 0xDC00):
                return True
        elif not (before[:2] == b"\\u" and _SURROGATE.fullmatch(before) and int(before[2:], 16) < 0xDC00):
            return True
    return False


def check_structure(raw: bytes, where: str, depth_limit: int) -> None:
    """Refuse what would make the parse or a later walk fail (see the module doc). Every step
    is a C-level pass over the bytes; a 100 MB build-info costs well under its parse."""
    if b"\\u" in raw and _lone_surrogate(raw.replace(b"\\\\", b"")):
        raise InputError(f"{where}: a string holds a lone UTF-16 surrogate escape (\\ud800-\\udfff); it is not text")
    unescaped = _unescaped(raw)
    digits = _long_number(unescaped)
    if digits:
        raise InputError(f"{where}: a number with {digits} digits; no field holds more than {MAX_INT_DIGITS} (uint256)")
    depth = max_depth(unescaped)
    if depth > depth_limit:
        raise InputError(f"{where}: JSON nested {depth} levels deep, over the limit of {depth_limit}")


def _long_number(unescaped: bytes) -> int:
    """The digit count of the first number outside strings longer than a uint256, else 0.
    Runs of digits are found with one translate and ``find`` (C speed, so hex bytecode inside
    a build-info's strings costs little); a run is outside strings when an even number of
    quotes precedes it."""
    marks = unescaped.translate(_DIGITS_ONLY)
    pos, quotes_before, counted_to = marks.find(_DIGIT_RUN), 0, 0
    while pos != -1:
        quotes_before += unescaped.count(b'"', counted_to, pos)
        counted_to = pos
        length = _digits_at(marks, pos)
        if quotes_before % 2 == 0:
            return length
        pos = marks.find(_DIGIT_RUN, pos + length)
    return 0


def _digits_at(text: bytes, start: int) -> int:
    stop = re.compile(rb"[^0-9]").search(text, start)
    return (stop.start() if stop else len(text)) - start


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
