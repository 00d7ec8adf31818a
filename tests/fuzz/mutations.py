"""Hostile edits of a valid JSON file, as hypothesis strategies.

A mutation returns the file's new text and whether it keeps the meaning (``neutral``: key
order, whitespace, hex instead of decimal, hex letter case), so the tests can demand the same
result as the unmutated file for neutral edits and a well-defined reading for the others."""

from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

Path_ = tuple[Any, ...]
HOLE = "\u0000hole\u0000"  # a placeholder string replaced by raw text after json.dumps

SWAPS: list[Any] = [5, -1, 0, "5", "", "abc", [], {}, None, True, False, 1.5, 1e400, "0x", "0x0", 2**256, "٧١",
                    "1_000", "１２", " 7", "7 ", "0x" + "f" * 65, "-0x1", [1], {"a": 1}, "\u202e0xdead"]
UNICODE_DIGITS = ["٠١٢٣٤٥٦٧٨٩", "０１２３４５６７８９", "߀߁߂߃߄߅߆߇߈߉", "۰۱۲۳۴۵۶۷۸۹"]


@dataclass(frozen=True)
class Mutated:
    kind: str
    path: Path_
    text: str
    neutral: bool


def paths(value: Any, prefix: Path_ = ()) -> list[Path_]:
    out: list[Path_] = []
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for k, v in children:
        out.append((*prefix, k))
        out.extend(paths(v, (*prefix, k)))
    return out


def get(data: Any, where: Path_) -> Any:
    for k in where:
        data = data[k]
    return data


def put(data: Any, where: Path_, value: Any) -> Any:
    out = copy.deepcopy(data)
    parent = get(out, where[:-1])
    parent[where[-1]] = value
    return out


def dumps(obj: Any, raw: str | None = None, indent: int | None = None) -> str:
    text = json.dumps(obj, indent=indent, ensure_ascii=False)
    if raw is not None:
        text = text.replace(json.dumps(HOLE), raw, 1)
    return text


def _shuffled(value: Any, rnd: random.Random) -> Any:
    if isinstance(value, dict):
        keys = list(value)
        rnd.shuffle(keys)
        return {k: _shuffled(value[k], rnd) for k in keys}
    if isinstance(value, list):
        return [_shuffled(v, rnd) for v in value]
    return value


def _digits_as_hex(value: str) -> str | None:
    if value.isascii() and value.isdigit() and len(value) < 70:
        return hex(int(value))
    return None


@st.composite
def mutated(draw: st.DrawFn, seed: dict[str, Any]) -> Mutated:
    """One hostile (or neutral) edit of ``seed``."""
    where = draw(st.sampled_from(paths(seed)))
    current = get(seed, where)
    kind = draw(st.sampled_from(["swap", "delete", "huge", "deep", "unicode", "duplicate", "reorder", "hexify",
                                 "hexcase", "whitespace"]))
    if kind == "swap":
        return Mutated(kind, where, dumps(put(seed, where, draw(st.sampled_from(SWAPS)))), False)
    if kind == "delete":
        parent = get(seed, where[:-1])
        out = copy.deepcopy(seed)
        holder = get(out, where[:-1])
        if isinstance(parent, dict):
            del holder[where[-1]]
        else:
            holder.pop(where[-1])
        return Mutated(kind, where, dumps(out), False)
    if kind == "huge":
        digits = draw(st.sampled_from([79, 80, 300, 4301, 5000, 20000]))
        as_text = draw(st.booleans())
        raw = json.dumps("9" * digits) if as_text else "9" * digits
        return Mutated(kind, where, dumps(put(seed, where, HOLE), raw), False)
    if kind == "deep":
        depth = draw(st.sampled_from([63, 65, 1000, 100_000]))
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
        raw = opener * depth + "1" + closer * depth
        if draw(st.booleans()):  # deep JSON inside a string (a JSON-encoded argument)
            raw = json.dumps(raw)
        return Mutated(kind, where, dumps(put(seed, where, HOLE), raw), False)
    if kind == "unicode":
        if not isinstance(current, (str, int)) or isinstance(current, bool):
            current = "12"
        table = str.maketrans("0123456789", draw(st.sampled_from(UNICODE_DIGITS)))
        return Mutated(kind, where, dumps(put(seed, where, str(current).translate(table))), False)
    if kind == "duplicate":
        parent_path = where[:-1]
        parent = get(seed, parent_path)
        if not isinstance(parent, dict):
            return Mutated("swap", where, dumps(put(seed, where, None)), False)
        key = where[-1]
        other = draw(st.sampled_from(SWAPS))
        out = copy.deepcopy(seed)
        get(out, parent_path)[HOLE] = HOLE  # appended after the real key: the duplicate comes last
        text = dumps(out).replace(f"{json.dumps(HOLE)}: {json.dumps(HOLE)}", f"{json.dumps(key)}: {json.dumps(other)}", 1)
        return Mutated(kind, where, text, False)
    if kind == "reorder":
        return Mutated(kind, (), dumps(_shuffled(seed, random.Random(draw(st.integers(0, 2**32))))), True)
    if kind == "hexify":
        if isinstance(current, str) and _digits_as_hex(current) and where[-1] != "createdAt":
            return Mutated(kind, where, dumps(put(seed, where, _digits_as_hex(current))), True)
        return Mutated("whitespace", (), dumps(seed, indent=3), True)
    if kind == "hexcase":
        if isinstance(current, str) and current.startswith("0x") and len(current) > 42 and where[-1] in ("data",):
            return Mutated(kind, where, dumps(put(seed, where, "0x" + current[2:].upper())), True)
        return Mutated("whitespace", (), dumps(seed, indent=1), True)
    return Mutated("whitespace", (), dumps(seed, indent=draw(st.sampled_from([None, 0, 2, 8]))), True)
