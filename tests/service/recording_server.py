"""A loopback HTTP server standing in for https://api.safe.global: it records every request
(method, path with query, JSON body) and answers ``/tx-service/<shortName>/api/...`` with the
local service (``LocalTransactionService.handle``) behind that prefix -- the Transaction
Service's paths as Safe serves them per chain (api-kit ``getTransactionServiceUrl``). Anything
else is 404 (and recorded, so a test sees it)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class RecordingServer:
    def __init__(self, service: Any, short_name: str) -> None:
        self.service, self.prefix = service, f"/tx-service/{short_name}"
        self.seen: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                parts = urlsplit(self.path)
                server.seen.append({"method": self.command, "path": self.path, "body": body,
                                    "authorization": self.headers.get("Authorization")})
                if parts.path.startswith(server.prefix + "/api/"):
                    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                    status, payload = server.service.handle(self.command, parts.path[len(server.prefix):], query, body)
                else:
                    status, payload = 404, {"detail": "Not found."}
                out = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = do_DELETE = _serve

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True

    @property
    def origin(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"


@contextmanager
def recording(service: Any, short_name: str) -> Iterator[RecordingServer]:
    server = RecordingServer(service, short_name)
    thread = threading.Thread(target=server.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        thread.join(timeout=5)
