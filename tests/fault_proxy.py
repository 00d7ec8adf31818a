"""A JSON-RPC HTTP proxy in front of a real node (Anvil) that misbehaves on request, per method.

    with FaultProxy(anvil.url) as proxy:
        proxy.fault("eth_getCode", Hang())          # accept, never answer
        proxy.fault("*", Delay(0.5))                # every other method, slower
        proxy.fault("eth_call", Status(429))        # rate-limited
        proxy.fault("eth_getStorageAt", Drop())     # close the connection mid-request
        proxy.fault("eth_chainId", ChainId(1))      # claim to be another chain
        proxy.fault("debug_traceTransaction", RpcError(-32601, "method not found"))  # a JSON-RPC error reply
        proxy.fault("eth_getTransactionReceipt", Gate(opened, reached))  # held until opened.set()
        proxy.lag(3)                                # answer as if 3 blocks behind

It accepts any path (so a URL can carry a fake API key) and records what it was asked.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Delay:
    seconds: float


@dataclass(frozen=True)
class Hang:
    """Read the request, never answer (until the proxy stops)."""


@dataclass(frozen=True)
class Drop:
    """Close the connection without an answer."""


@dataclass(frozen=True)
class Status:
    code: int  # 429, 500, 502, 503 ...


@dataclass(frozen=True)
class ChainId:
    chain_id: int


@dataclass(frozen=True)
class RpcError:
    """Answer HTTP 200 with a JSON-RPC error object (a method the node lacks, a refused read)."""
    code: int
    message: str


@dataclass(frozen=True)
class Gate:
    """Hold the request until ``opened`` is set (``reached`` is set when one arrives), then answer:
    a command held at a known point (an execute waiting for its receipt) while another runs."""
    opened: threading.Event
    reached: threading.Event


Fault = Delay | Hang | Drop | Status | ChainId | Gate | RpcError
BLOCK_PARAM = {"eth_getStorageAt": 2, "eth_getCode": 1, "eth_call": 1, "eth_getBalance": 1,
               "eth_getTransactionCount": 1, "eth_getBlockByNumber": 0, "eth_estimateGas": 1}


@dataclass
class FaultProxy:
    upstream: str
    faults: dict[str, Fault] = field(default_factory=dict)
    lag_blocks: int = 0
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, method)
    _stop: threading.Event = field(default_factory=threading.Event)

    def fault(self, method: str, fault: Fault | None) -> FaultProxy:
        if fault is None:
            self.faults.pop(method, None)
        else:
            self.faults[method] = fault
        return self

    def lag(self, blocks: int) -> FaultProxy:
        self.lag_blocks = blocks
        return self

    def clear(self) -> None:
        self.faults.clear()
        self.lag_blocks = 0

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def methods(self) -> list[str]:
        return [m for _, m in self.requests]

    # -- the server ---------------------------------------------------------------------------
    def __enter__(self) -> FaultProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                calls = body if isinstance(body, list) else [body]
                for c in calls:
                    proxy.requests.append((self.path, c.get("method", "")))
                fault = next((f for c in calls if (f := proxy.faults.get(c.get("method"), proxy.faults.get("*")))), None)
                match fault:
                    case Hang():
                        proxy._stop.wait()
                        self.close_connection = True
                        return
                    case Drop():
                        self.close_connection = True
                        self.connection.close()
                        return
                    case Status(code):
                        self._send(code, b'{"error": "injected"}')
                        return
                    case Delay(seconds):
                        time.sleep(seconds)
                    case Gate(opened, reached):
                        reached.set()
                        opened.wait(120)
                replies = [proxy._answer(c, fault) for c in calls]
                self._send(200, json.dumps(replies if isinstance(body, list) else replies[0]).encode())

            def _send(self, code: int, data: bytes) -> None:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                import sys

                if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that hung up: not news
                    super().handle_error(request, client_address)

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    # -- answers --------------------------------------------------------------------------------
    def _forward(self, call: dict[str, Any]) -> dict[str, Any]:
        req = urllib.request.Request(self.upstream, json.dumps(call).encode(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read())

    def _answer(self, call: dict[str, Any], fault: Fault | None) -> dict[str, Any]:
        method, rid = call.get("method"), call.get("id")
        if isinstance(fault, ChainId) and method == "eth_chainId":
            return {"jsonrpc": "2.0", "id": rid, "result": hex(fault.chain_id)}
        if isinstance(fault, RpcError):
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": fault.code, "message": fault.message}}
        if self.lag_blocks:
            lagged = self._lagged(call)
            if lagged is not None:
                return lagged
        return self._forward(call)

    def _lagged(self, call: dict[str, Any]) -> dict[str, Any] | None:
        """Answer as a node ``lag_blocks`` behind: its head is older; newer blocks, their
        transactions and state are unknown to it."""
        method, rid, params = call.get("method"), call.get("id"), list(call.get("params") or [])
        real = int(self._forward({"jsonrpc": "2.0", "id": 0, "method": "eth_blockNumber", "params": []})["result"], 16)
        head = max(0, real - self.lag_blocks)
        if method == "eth_blockNumber":
            return {"jsonrpc": "2.0", "id": rid, "result": hex(head)}
        if method in ("eth_getTransactionReceipt", "eth_getTransactionByHash"):
            reply = self._forward(call)
            r = reply.get("result")
            if r and r.get("blockNumber") and int(r["blockNumber"], 16) > head:
                return {"jsonrpc": "2.0", "id": rid, "result": None}
            return reply
        if method == "eth_getLogs" and params:
            f = dict(params[0])
            if f.get("toBlock") in (None, "latest") or int(str(f["toBlock"]), 16) > head:
                f["toBlock"] = hex(head)
            return self._forward({**call, "params": [f]})
        index = BLOCK_PARAM.get(method)
        if index is None:
            return None
        block = params[index] if len(params) > index else "latest"
        if block in ("latest", "pending", "safe", "finalized"):
            params = params[:index] + [hex(head)] + params[index + 1:]
        elif isinstance(block, str) and block.startswith("0x") and int(block, 16) > head:
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32000, "message": "header not found"}}
        return self._forward({**call, "params": params})
