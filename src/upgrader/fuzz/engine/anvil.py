"""The reference engine: an Anvil fork over JSON-RPC (one kept-alive HTTP connection, calls
batched where they do not depend on each other).

A transaction is sent from its sender by impersonation (``anvil_autoImpersonateAccount``),
mined at once (automine) in a block of its own (``anvil_setBlockTimestampInterval`` makes
every block 12 s after the last); its return or revert data is the top frame of Anvil's own
``callTracer`` trace of that transaction, its logs those of the receipt."""

from __future__ import annotations

import http.client
import json
import time
from typing import Any
from urllib.parse import urlsplit

from eth_utils import to_checksum_address

from upgrader.errors import InputError
from upgrader.fuzz.engine import BLOCK_TIME, GAS, Log, Outcome

TOP_FRAME = {"tracer": "callTracer", "tracerConfig": {"onlyTopCall": True}}


class Rpc:
    """JSON-RPC over one kept-alive HTTP connection."""

    def __init__(self, url: str, timeout_s: float = 60.0) -> None:
        parts = urlsplit(url)
        self.url, self.path = url, parts.path or "/"
        self._conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout_s)

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        body = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
        replies = self._post(body)
        if not isinstance(replies, list):
            raise InputError(f"the fork at {self.url} refused a batch: {str(replies)[:200]}")
        return sorted(replies, key=lambda r: r["id"])

    def call(self, method: str, params: list[Any]) -> Any:
        reply = self._post({"jsonrpc": "2.0", "id": 0, "method": method, "params": params})
        if "error" in reply:
            raise InputError(f"{method} on the fork at {self.url}: {reply['error'].get('message')}")
        return reply["result"]

    def _post(self, body: Any) -> Any:
        payload = json.dumps(body).encode()
        for attempt in (0, 1):  # a kept-alive connection the server closed: one reconnect
            try:
                self._conn.request("POST", self.path, payload, {"Content-Type": "application/json"})
                return json.loads(self._conn.getresponse().read())
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self._conn.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._conn.close()


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


def _bytes(text: str | None) -> bytes:
    return bytes.fromhex(text[2:]) if text and text.startswith("0x") else b""


class AnvilEngine:
    name = "anvil"

    def __init__(self, url: str) -> None:
        self.rpc = Rpc(url)
        self.url = url
        self.chain_id = int(self.rpc.call("eth_chainId", []), 16)
        self.rpc.batch([("anvil_autoImpersonateAccount", [True]), ("anvil_setBlockTimestampInterval", [BLOCK_TIME])])
        self._w3: Any = None

    def transact(self, sender: str, to: str, data: bytes, value: int = 0) -> Outcome:
        tx = {"from": sender, "to": to, "data": _hex(data), "value": hex(value), "gas": hex(GAS), "gasPrice": "0x0"}
        _, sent = self.rpc.batch([("anvil_setNextBlockBaseFeePerGas", ["0x0"]), ("eth_sendTransaction", [tx])])
        if "error" in sent:
            raise InputError(f"the fork at {self.url} refused a transaction from {sender}: {sent['error'].get('message')}")
        frame, rec = self._mined(sent["result"])
        if rec["status"] == "0x1":
            logs = tuple(Log(to_checksum_address(e["address"]), tuple(_bytes(t) for t in e["topics"]), _bytes(e["data"]))
                         for e in rec["logs"])
            return Outcome(True, _bytes(frame.get("output")), logs)
        error = frame.get("error") or ""
        return Outcome(False, _bytes(frame.get("output")), halt=error != "execution reverted")

    def _mined(self, tx_hash: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The trace's top frame and the receipt; automine mines just after answering the send,
        so the first look may come too early."""
        for attempt in range(200):
            trace, receipt = self.rpc.batch([("eth_getTransactionReceipt", [tx_hash]),
                                             ("debug_traceTransaction", [tx_hash, TOP_FRAME])])[::-1]
            if receipt.get("result") is not None and "result" in trace:
                return trace["result"], receipt["result"]
            time.sleep(0.001 * min(attempt + 1, 20))
        raise InputError(f"the fork at {self.url} did not mine {tx_hash}")

    def views(self, calls: list[tuple[str, bytes]]) -> list[Outcome]:
        if not calls:
            return []
        replies = self.rpc.batch([("eth_call", [{"to": to, "data": _hex(data), "gas": hex(GAS)}, "latest"]) for to, data in calls])
        out = []
        for reply in replies:
            if "error" not in reply:
                out.append(Outcome(True, _bytes(reply["result"])))
                continue
            err = reply["error"]
            data = err.get("data") if isinstance(err.get("data"), str) else None
            reverted = data is not None or "revert" in str(err.get("message", "")).lower()
            out.append(Outcome(False, _bytes(data), halt=not reverted))
        return out

    def storage(self, address: str, slot: int) -> int:
        return int(self.rpc.call("eth_getStorageAt", [address, hex(slot), "latest"]), 16)

    def balance(self, address: str) -> int:
        return int(self.rpc.call("eth_getBalance", [address, "latest"]), 16)

    def code(self, address: str) -> bytes:
        return _bytes(self.rpc.call("eth_getCode", [address, "latest"]))

    def block(self) -> tuple[int, int]:
        head = self.rpc.call("eth_getBlockByNumber", ["latest", False])
        return int(head["number"], 16), int(head["timestamp"], 16)

    def mine(self, blocks: int) -> None:
        if blocks > 0:
            self.rpc.call("anvil_mine", [hex(blocks), hex(BLOCK_TIME)])

    def fund(self, address: str, wei: int) -> None:
        self.rpc.call("anvil_setBalance", [address, hex(wei)])

    def snapshot(self) -> Any:
        return self.rpc.call("evm_snapshot", [])

    def revert(self, snap: Any) -> Any:
        """Back to ``snap``; Anvil spends a snapshot on revert, so a fresh one replaces it (the
        caller keeps using the value returned)."""
        if self.rpc.call("evm_revert", [snap]) is not True:
            raise InputError(f"the fork at {self.url} lost its snapshot {snap}")
        return self.snapshot()

    def web3(self) -> Any:
        if self._w3 is None:
            from upgrader.chain.rpc import connect

            self._w3 = connect(self.url, call_timeout_s=60.0)
        return self._w3

    def close(self) -> None:
        self.rpc.close()
