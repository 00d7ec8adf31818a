"""A loopback HTTP server answering a script of canned replies (status, body, headers), for
the client's handling of what real services answer: HTML, wrong shapes, 401, 429, pages.
Real HTTP end to end; it records each request's path and Authorization header."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class CannedServer:
    def __init__(self, replies: list[Any]) -> None:
        self.replies = list(replies)
        self.seen: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.seen.append({"method": self.command, "path": self.path, "body": body,
                                    "authorization": self.headers.get("Authorization")})
                reply = server.replies.pop(0) if len(server.replies) > 1 else server.replies[0]
                status, payload, headers = (*reply, {})[:3]
                if isinstance(payload, (bytes, str)):
                    out = payload.encode() if isinstance(payload, str) else payload
                    kind = "text/html; charset=utf-8" if out.lstrip()[:1] == b"<" else "application/json"
                else:
                    out, kind = json.dumps(payload).encode(), "application/json"
                self.send_response(status)
                self.send_header("Content-Type", headers.get("Content-Type", kind))
                self.send_header("Content-Length", str(len(out)))
                for name, value in headers.items():
                    if name != "Content-Type":
                        self.send_header(name, value)
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = do_DELETE = _serve

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"


@contextmanager
def canned(replies: list[Any]) -> Iterator[CannedServer]:
    server = CannedServer(replies)
    thread = threading.Thread(target=server.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        thread.join(timeout=5)
