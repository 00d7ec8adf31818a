"""Values worth reusing within one example: the funded actors, the addresses the system knows,
and the ids, amounts, keys and addresses it has returned or logged so far. A drawn argument
that names the pool (``strategies.Pick``) becomes one of these when the call is made, so a
deposit can name the id a registration returned a step earlier.

Besides the four base kinds, values are also filed under finer kinds made on demand:
``int:<name>`` for an integer under its parameter's name (``int:propertyid`` holds the ids an
event or a call named ``propertyId``, apart from the amounts), and ``caller:<address>`` for the
actors that called, or were named by, one contract (a vault's tenants are the ones who can
deposit). A pick of a finer kind that holds nothing yet falls back to its base kind (the
actors for callers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from upgrader.fuzz.abi import AbiFunction, EventShape, array_parts, name_key, split_tuple
from upgrader.fuzz.engine import Log, checksummed

CAP = 48  # per kind: new values beyond this are not learned (the first ones stay reachable)
KINDS = ("actor", "address", "int", "key")


def named(kind: str, name: str) -> str:
    """The finer kind of ``kind`` values under parameter ``name`` (``int:propertyid``)."""
    return f"{kind}:{name_key(name)}"


def callers(address: str) -> str:
    return f"caller:{checksummed(address)}"


@dataclass
class Pool:
    """Per kind, values in first-seen order: ``actor`` (senders, no code), ``address``,
    ``int`` (ids, amounts), ``key`` (32-byte words: role ids, hashes), and the finer kinds."""

    values: dict[str, list[Any]] = field(default_factory=lambda: {k: [] for k in KINDS})
    seen: dict[str, set[Any]] = field(default_factory=lambda: {k: set() for k in KINDS})
    events: dict[bytes, EventShape] = field(default_factory=dict)
    marks: dict[str, int] = field(default_factory=dict)  # per kind, how many values the copy started with

    def copy(self) -> "Pool":
        """A pool for one example: it starts with these values; ``fresh`` are the ones it adds."""
        return Pool({k: list(v) for k, v in self.values.items()}, {k: set(v) for k, v in self.seen.items()}, self.events,
                    {k: len(v) for k, v in self.values.items()})

    def add(self, kind: str, value: Any) -> None:
        items = self.values.setdefault(kind, [])
        seen = self.seen.setdefault(kind, set())
        if value in seen or len(items) >= CAP:
            return
        seen.add(value)
        items.append(value)

    def of(self, kind: str) -> list[Any]:
        """The values of ``kind``, or of its base kind while it holds none."""
        base = kind.split(":")[0]
        return self.values.get(kind) or self.values.get("actor" if base == "caller" else base, [])

    def pick(self, kind: str, index: int) -> Any | None:
        items = self.of(kind)
        return items[index % len(items)] if items else None

    def fresh(self, kind: str) -> list[Any]:
        """The values of ``kind`` this example added (all of them in a pool that is no copy)."""
        return self.values.get(kind, [])[self.marks.get(kind, 0):]

    def learn_value(self, abi_type: str, value: Any, name: str = "") -> None:
        """A decoded argument or result (``name``: its parameter's): its addresses, integers and words."""
        array = array_parts(abi_type)
        if array is not None:
            for item in list(value)[:8]:
                self.learn_value(array[0], item, name)
        elif abi_type.startswith("("):
            for t, v in zip(split_tuple(abi_type), value):
                self.learn_value(t, v)
        elif abi_type == "address":
            self.add("address", checksummed(value))
        elif abi_type.startswith(("uint", "int")):
            self.add("int", int(value))
            if name_key(name):
                self.add(named("int", name), int(value))
        elif abi_type == "bytes32":
            self.add("key", bytes(value))

    def learn_call(self, fn: AbiFunction, args: tuple[Any, ...], output: tuple[Any, ...] | None) -> None:
        for t, v, n in zip(fn.inputs, args, fn.input_names or [""] * len(fn.inputs)):
            self.learn_value(t, v, n)
        for t, v, n in zip(fn.outputs, output or (), fn.output_names or [""] * len(fn.outputs)):
            self.learn_value(t, v, n)

    def learn_logs(self, logs: tuple[Log, ...]) -> None:
        for log in logs:
            self.learn_log(log.topics, log.data)

    def learn_log(self, topics: tuple[bytes, ...], data: bytes) -> None:
        """An event's arguments by their types when the system's ABIs declare it, else every
        word by its look (``learn_word``)."""
        typed = self.log_values(topics, data)
        if typed is not None:
            for t, n, v in typed:
                self.learn_value(t, v, n)
            return
        for w in topics[1:]:
            self.learn_word(w)
        for i in range(0, len(data) - 31, 32):
            self.learn_word(data[i : i + 32])

    def log_values(self, topics: tuple[bytes, ...], data: bytes) -> list[tuple[str, str, Any]] | None:
        """(type, name, value) of each argument of a declared event (None: not declared)."""
        shape = self.events.get(topics[0]) if topics else None
        if shape is None or len(shape.indexed) != len(topics) - 1:
            return None
        return list(_decoded(shape, topics, data))

    def learn_word(self, w: bytes) -> None:
        """An untyped word: an address when it is 20 bytes that look random (amounts in wei
        stay far below 2**150), an id or amount when smaller, a key otherwise."""
        value = int.from_bytes(w, "big")
        if 2**150 <= value < 2**160:
            self.add("address", checksummed(w[12:]))
        elif value < 2**150:
            self.add("int", value)
        else:
            self.add("key", bytes(w))


def _decoded(shape: EventShape, topics: tuple[bytes, ...], data: bytes) -> Iterator[tuple[str, str, Any]]:
    from eth_abi import decode

    names = shape.indexed_names or [""] * len(shape.indexed)
    for t, n, w in zip(shape.indexed, names, topics[1:]):
        if t in ("address", "bytes32", "bool") or t.startswith(("uint", "int")):
            yield t, n, decode([t], w)[0]
    try:
        values = decode(shape.data, data)
    except Exception:  # data not of the declared shape
        return
    yield from zip(shape.data, shape.data_names or [""] * len(shape.data), values)
