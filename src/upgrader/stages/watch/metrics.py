"""Prometheus text metrics for ``watch --metrics 127.0.0.1:9464``: a counter per finding kind
and the last scanned block, served on a loopback address only (text exposition format 0.0.4)."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from upgrader.errors import InputError
from upgrader.stages.watch.kinds import KINDS


def parse_listen(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    try:
        loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
        number = int(port)
    except ValueError:
        raise InputError(f"--metrics {value!r}: expected HOST:PORT on a loopback address, e.g. 127.0.0.1:9464") from None
    if not loopback or not 0 <= number < 65536:
        raise InputError(f"--metrics {value!r}: metrics are served on a loopback address only (127.0.0.1:PORT)")
    return host.strip("[]"), number


def render(counts: dict[str, int], last_block: int | None, scans: int) -> str:
    lines = ["# HELP upgrader_watch_findings_total Findings reported, by kind.", "# TYPE upgrader_watch_findings_total counter"]
    lines += [f'upgrader_watch_findings_total{{kind="{k}"}} {counts.get(k, 0)}' for k in KINDS]
    lines += ["# HELP upgrader_watch_last_scanned_block The last block the watch scanned.", "# TYPE upgrader_watch_last_scanned_block gauge",
              f"upgrader_watch_last_scanned_block {last_block if last_block is not None else -1}",
              "# HELP upgrader_watch_scans_total Scans completed by this process.", "# TYPE upgrader_watch_scans_total counter",
              f"upgrader_watch_scans_total {scans}"]
    return "\n".join(lines) + "\n"


def serve(listen: str, snapshot: Callable[[], str]) -> Any:
    """Start the server in a daemon thread; returns it (``shutdown()`` to stop)."""
    host, port = parse_listen(listen)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if self.path not in ("/metrics", "/"):
                self.send_error(404)
                return
            body = snapshot().encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:  # no access log on stderr
            pass

    try:
        server = ThreadingHTTPServer((host, port), Handler)
    except OSError as exc:
        raise InputError(f"--metrics {listen}: cannot listen there ({exc.strerror}); pick a free port") from None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
