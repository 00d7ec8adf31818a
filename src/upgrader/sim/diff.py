"""What the executed transaction changed: every storage word per contract (``prestateTracer``
in diff mode), named through the layouts the project knows; ETH and ERC-20 balances; events."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import event_abi_to_log_topic, to_checksum_address

from upgrader.build.artifacts import Artifact, code_hash
from upgrader.sim.slots import FIXED, SAFE_LAYOUT, describe_change, name_slots
from upgrader.sim.storage import KeyCandidates
from upgrader.safe.abi_values import canonical_type

TRANSFER = bytes.fromhex("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")  # Transfer(address,address,uint256)
BALANCE_OF = {"type": "function", "name": "balanceOf", "stateMutability": "view",
              "inputs": [{"name": "a", "type": "address"}], "outputs": [{"name": "", "type": "uint256"}]}
ERC20_EVENTS = [{"type": "event", "name": "Transfer", "anonymous": False, "inputs": [
    {"name": "from", "type": "address", "indexed": True}, {"name": "to", "type": "address", "indexed": True},
    {"name": "value", "type": "uint256", "indexed": False}]}]


def _int(hexstr: str | None) -> int:
    return int(hexstr, 16) if hexstr else 0


def prestate_diff(w3: Any, tx_hash: str) -> dict[str, dict[str, Any]]:
    """address -> {storage: {slot: (before, after)}, balance: (before, after), created: bool}."""
    raw = w3.provider.make_request("debug_traceTransaction", [tx_hash, {"tracer": "prestateTracer", "tracerConfig": {"diffMode": True}}])
    if "result" not in raw:
        from upgrader.errors import NodeError

        raise NodeError(f"the fork cannot trace transaction {tx_hash} (debug_traceTransaction with the prestateTracer: "
                        f"{raw.get('error')}); simulate against a node that serves it (Anvil does)")
    pre, post = raw["result"].get("pre", {}), raw["result"].get("post", {})
    out: dict[str, dict[str, Any]] = {}
    for address in sorted(set(pre) | set(post)):
        a, b = pre.get(address, {}), post.get(address, {})
        # in diff mode a slot is listed only when it changed; an absent side is zero
        slots = {int(s, 16) for s in (*a.get("storage", {}), *b.get("storage", {}))}
        storage = {s: (_int(a.get("storage", {}).get(_key(s, a))), _int(b.get("storage", {}).get(_key(s, b)))) for s in slots}
        storage = {s: v for s, v in storage.items() if v[0] != v[1]}
        before_balance = _int(a.get("balance")) if "balance" in a else 0
        after_balance = _int(b["balance"]) if "balance" in b else before_balance
        out[to_checksum_address(address)] = {
            "storage": storage, "balance": (before_balance, after_balance),
            "created": bool(b.get("code")) and not a.get("code"),
        }
    return out


def _key(slot: int, side: dict[str, Any]) -> str | None:
    for k in side.get("storage", {}):
        if int(k, 16) == slot:
            return k
    return None


class Knowledge:
    """What the project knows to name things: the build's artifacts and ABIs, the manifest."""

    def __init__(self, artifacts: list[Artifact], book: Any, manifest: Any, build_info: dict[str, Any] | None) -> None:
        self.artifacts, self.book, self.manifest, self.build_info = artifacts, book, manifest, build_info

    @cached_property
    def by_length(self) -> dict[int, list[Artifact]]:
        out: dict[int, list[Artifact]] = {}
        for art in self.artifacts:
            if art.runtime:
                out.setdefault(len(art.runtime), []).append(art)
        return out

    def artifact_for_code(self, code: bytes) -> Artifact | None:
        return next((a for a in self.by_length.get(len(code), []) if code_hash(code, a.immutable_ranges) == a.code_hash), None)

    @cached_property
    def events(self) -> dict[bytes, dict[str, Any]]:
        from upgrader.deploy.safe import safe_abi
        from upgrader.governance.abi import EVENTS as GOVERNANCE_EVENTS
        from upgrader.proxies.abi import PROXY_EVENTS

        table: dict[bytes, dict[str, Any]] = {}
        for abi in [ERC20_EVENTS, safe_abi(), PROXY_EVENTS, GOVERNANCE_EVENTS, *(a.abi for a in self.artifacts)]:
            for entry in abi:
                if entry.get("type") == "event" and not entry.get("anonymous"):
                    table.setdefault(event_abi_to_log_topic(entry), entry)
        return table

    def layout_of(self, fqn: str) -> Any:
        from upgrader.layout.extract import extract_layout

        return extract_layout(self.build_info, fqn) if self.build_info else None

    def recorded_layout(self, address: str) -> Any:
        from upgrader.layout.model import StorageLayout

        record = self.book.proxies.get(to_checksum_address(address))
        if record is None:
            return None
        try:
            return StorageLayout.from_json(record.implementation.storage_layout)
        except (ValueError, KeyError):
            return None

    def name(self, address: str) -> str:
        return self.book.short(address)


def key_candidates(diff: dict[str, dict[str, Any]], logs: list[Any], extra: list[str]) -> KeyCandidates:
    keys = KeyCandidates()
    keys.add(range(0, 33))  # ids and enum values; each nested mapping costs keys² hashes
    keys.add(int(a, 16) for a in [*diff, *extra] if isinstance(a, str) and a.startswith("0x"))
    for log in logs:
        keys.add(int.from_bytes(bytes(t), "big") for t in log["topics"][1:])
        data = bytes(log["data"])
        keys.add(int.from_bytes(data[i : i + 32], "big") for i in range(0, len(data) - 31, 32))
    return keys


def storage_section(w3: Any, diff: dict[str, dict[str, Any]], know: Knowledge, keys: KeyCandidates, safes: set[str],
                    preimages: dict[int, bytes] | None = None) -> list[dict[str, Any]]:
    out = []
    for address, entry in diff.items():
        if not entry["storage"]:
            continue
        layout, source = layout_for(w3, address, know, safes)
        names, named_by = name_slots(layout, source, keys, set(entry["storage"]), preimages)
        changes = [c for slot, (before, after) in sorted(entry["storage"].items())
                   for c in describe_change(names.get(slot), slot, before, after, named_by.get(slot))]
        out.append({"address": address, "name": know.name(address), "layout": source, "created": entry["created"], "changes": changes})
    return out


def layout_for(w3: Any, address: str, know: Knowledge, safes: set[str]) -> tuple[Any, str | None]:
    """The target Safe's own layout; a proxy's implementation's (now) from the build, else the
    manifest's record of it; a contract whose own code is a build contract's."""
    if address in safes:
        return SAFE_LAYOUT, "Safe"
    impl_slot = next(s for s, (label, _) in FIXED.items() if label == "ERC-1967 implementation")
    impl = bytes(w3.eth.get_storage_at(address, impl_slot))[-20:]
    for candidate in ([to_checksum_address(impl)] if any(impl) else []) + [address]:
        art = know.artifact_for_code(bytes(w3.eth.get_code(candidate)))
        if art is not None:
            return know.layout_of(art.fqn), art.fqn
    recorded = know.recorded_layout(address)
    return (recorded, "manifest") if recorded is not None else (None, None)


def eth_section(diff: dict[str, dict[str, Any]], know: Knowledge) -> list[dict[str, Any]]:
    return [{"address": a, "name": know.name(a), "before": str(e["balance"][0]), "after": str(e["balance"][1]),
             "delta": str(e["balance"][1] - e["balance"][0])} for a, e in diff.items() if e["balance"][0] != e["balance"][1]]


def erc20_section(w3: Any, logs: list[Any], block: int, know: Knowledge) -> list[dict[str, Any]]:
    """Holders named by Transfer events, their balanceOf before (block - 1) and after."""
    pairs: list[tuple[str, str]] = []
    for log in logs:
        topics = [bytes(t) for t in log["topics"]]
        if len(topics) == 3 and topics[0] == TRANSFER:
            token = to_checksum_address(log["address"])
            for t in topics[1:]:
                holder = to_checksum_address(t[-20:])
                if (token, holder) not in pairs:
                    pairs.append((token, holder))
    out = []
    for token, holder in pairs:
        contract = w3.eth.contract(address=token, abi=[BALANCE_OF])
        try:
            before = contract.functions.balanceOf(holder).call(block_identifier=block - 1)
            after = contract.functions.balanceOf(holder).call(block_identifier=block)
        except Exception:  # not an ERC-20 after all
            continue
        if before != after:
            out.append({"token": token, "token_name": know.name(token), "holder": holder, "holder_name": know.name(holder),
                        "before": str(before), "after": str(after), "delta": str(after - before)})
    return out


def events_section(logs: list[Any], know: Knowledge) -> list[dict[str, Any]]:
    out = []
    for log in logs:
        topics = [bytes(t) for t in log["topics"]]
        address = to_checksum_address(log["address"])
        entry = know.events.get(topics[0]) if topics else None
        decoded = _decode_event(entry, topics, bytes(log["data"])) if entry else None
        out.append({"address": address, "emitter": know.name(address), "event": entry["name"] if decoded is not None else None,
                    "args": decoded, "topics": ["0x" + t.hex() for t in topics], "data": "0x" + bytes(log["data"]).hex()})
    return out


def _decode_event(entry: dict[str, Any], topics: list[bytes], data: bytes) -> dict[str, str] | None:
    inputs = entry.get("inputs", [])
    indexed = [i for i in inputs if i.get("indexed")]
    plain = [i for i in inputs if not i.get("indexed")]
    if len(indexed) != len(topics) - 1:
        return None
    try:
        values = dict(zip([i["name"] for i in plain], abi_decode([canonical_type(i) for i in plain], data)))
        for param, topic in zip(indexed, topics[1:]):
            t = canonical_type(param)
            values[param["name"]] = abi_decode([t], topic)[0] if t in _STATIC else "0x" + topic.hex()
    except Exception:  # data that does not fit the ABI: leave it raw
        return None
    return {k or str(n): _plain(v) for n, (k, v) in enumerate((i["name"], values[i["name"]]) for i in inputs)}


_STATIC = {"address", "bool", "bytes32", *(f"uint{8 * n}" for n in range(1, 33)), *(f"int{8 * n}" for n in range(1, 33))}


def _plain(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return to_checksum_address(value)
    return str(value)
