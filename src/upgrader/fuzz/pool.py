"""Values worth reusing within one example: the funded actors, the addresses the system knows,
and the ids, amounts, keys and addresses it has returned or logged so far. A drawn argument
that names the pool (``strategies.Pick``) becomes one of these when the call is made, so a
deposit can name the id a registration returned a step earlier."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_utils import to_checksum_address

from upgrader.fuzz.abi import AbiFunction, array_parts, split_tuple
from upgrader.fuzz.engine import Log

CAP = 48  # per kind: new values beyond this are not learned (the first ones stay reachable)
KINDS = ("actor", "address", "int", "key")


@dataclass
class Pool:
    """Per kind, values in first-seen order: ``actor`` (senders, no code), ``address``,
    ``int`` (ids, amounts), ``key`` (32-byte words: role ids, hashes)."""

    values: dict[str, list[Any]] = field(default_factory=lambda: {k: [] for k in KINDS})
    seen: dict[str, set[Any]] = field(default_factory=lambda: {k: set() for k in KINDS})
    events: dict[bytes, tuple[list[str], list[str]]] = field(default_factory=dict)  # topic0 -> (indexed, data) types

    def copy(self) -> "Pool":
        return Pool({k: list(v) for k, v in self.values.items()}, {k: set(v) for k, v in self.seen.items()}, self.events)

    def add(self, kind: str, value: Any) -> None:
        if value in self.seen[kind] or len(self.values[kind]) >= CAP:
            return
        self.seen[kind].add(value)
        self.values[kind].append(value)

    def pick(self, kind: str, index: int) -> Any | None:
        items = self.values[kind]
        return items[index % len(items)] if items else None

    def learn_value(self, abi_type: str, value: Any) -> None:
        """A decoded argument or result: its addresses, integers and words."""
        array = array_parts(abi_type)
        if array is not None:
            for item in list(value)[:8]:
                self.learn_value(array[0], item)
        elif abi_type.startswith("("):
            for t, v in zip(split_tuple(abi_type), value):
                self.learn_value(t, v)
        elif abi_type == "address":
            self.add("address", to_checksum_address(value))
        elif abi_type.startswith(("uint", "int")):
            self.add("int", int(value))
        elif abi_type == "bytes32":
            self.add("key", bytes(value))

    def learn_call(self, fn: AbiFunction, args: tuple[Any, ...], output: tuple[Any, ...] | None) -> None:
        for t, v in zip(fn.inputs, args):
            self.learn_value(t, v)
        for t, v in zip(fn.outputs, output or ()):
            self.learn_value(t, v)

    def learn_logs(self, logs: tuple[Log, ...]) -> None:
        for log in logs:
            self.learn_log(log.topics, log.data)

    def learn_log(self, topics: tuple[bytes, ...], data: bytes) -> None:
        """An event's arguments by their types when the system's ABIs declare it, else every
        word by its look (``learn_word``)."""
        types = self.events.get(topics[0]) if topics else None
        if types is not None and len(types[0]) == len(topics) - 1:
            from eth_abi import decode

            for t, w in zip(types[0], topics[1:]):
                if t in ("address", "bytes32", "bool") or t.startswith(("uint", "int")):
                    self.learn_value(t, decode([t], w)[0])
            try:
                values = decode(types[1], data)
            except Exception:  # data not of the declared shape
                return
            for t, v in zip(types[1], values):
                self.learn_value(t, v)
            return
        for w in topics[1:]:
            self.learn_word(w)
        for i in range(0, len(data) - 31, 32):
            self.learn_word(data[i : i + 32])

    def learn_word(self, w: bytes) -> None:
        """An untyped word: an address when it is 20 bytes that look random (amounts in wei
        stay far below 2**150), an id or amount when smaller, a key otherwise."""
        value = int.from_bytes(w, "big")
        if 2**150 <= value < 2**160:
            self.add("address", to_checksum_address(w[12:]))
        elif value < 2**150:
            self.add("int", value)
        else:
            self.add("key", bytes(w))
