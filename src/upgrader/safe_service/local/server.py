"""The local Safe Transaction Service (``local_service``) over HTTP on loopback, in a
background thread for tests or as a process of the local stack (``upgrader node start``):

    python -m upgrader.safe_service.local.server --rpc URL --port 5555 --state FILE [--rate-limit RPS]
        [--refuse-delegatecall [--trust ADDR] [--manifest FILE]]

It answers both dialects (Transaction Service and Queue Service paths) from one store.

As a process it checks its state file before serving (a corrupt one is one line and exit 2),
forgets proposals made on another chain (the chain's genesis hash is kept beside the state
file: a reset chain must not inherit the confirmations of the one that is gone), and trusts
the MultiSendCallOnly of ``--manifest`` as soon as the manifest names one (it may be written
after the service started) -- which matters only with ``--refuse-delegatecall`` (the Transaction
Service's DISABLE_CREATION_MULTISIG_TRANSACTIONS_WITH_DELEGATE_CALL_OPERATION, off by default).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from upgrader.errors import InputError
from upgrader.safe_service.local.service import DEFAULT_PORT, LocalTransactionService, _errors

__all__ = ["DEFAULT_PORT", "LocalServiceServer", "LocalTransactionService", "RateLimit", "main"]


class RateLimit:
    """At most ``rps`` requests in any one-second window; over it, 429 with ``Retry-After``
    (the shape of Safe's throttled answers: a ``detail`` line)."""

    def __init__(self, rps: float, advertise: bool = False) -> None:
        self.rps, self.advertise = rps, advertise
        self._times: list[float] = []
        self._lock = threading.Lock()

    def admit(self) -> float:
        """0 when admitted, else the seconds until a place frees up."""
        with self._lock:
            now = time.monotonic()
            self._times = [t for t in self._times if now - t < 1.0]
            if len(self._times) < self.rps:
                self._times.append(now)
                return 0.0
            return max(0.001, 1.0 - (now - self._times[0]))


class _Handler(BaseHTTPRequestHandler):
    service: LocalTransactionService  # set on the subclass made per server
    limit: RateLimit | None = None
    before_request: Callable[[], None] | None = None

    def log_message(self, *args: Any) -> None:  # quiet: tests and the demo own the terminal
        pass

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.before_request is not None:
            self.before_request()
        headers: dict[str, str] = {}
        wait = self.limit.admit() if self.limit else 0.0
        if self.limit and self.limit.advertise:
            headers["X-Consumer-RPS"] = f"{self.limit.rps:g}"
        if wait:
            seconds = max(1, math.ceil(wait))
            headers["Retry-After"] = str(seconds)
            return self._answer(method, parts.path, 429, {"detail": f"Request was throttled. Expected available in {seconds} seconds."}, headers)
        inj = self.service.take_injection(method)
        if inj and inj.delay_s:
            time.sleep(inj.delay_s)
        if inj and inj.status is not None and not inj.after:
            status, payload = inj.status, {"detail": f"injected failure {inj.status}"}
        else:
            try:
                body = json.loads(raw) if raw else None
            except json.JSONDecodeError:
                status, payload = 400, _errors("request body is not valid JSON")
            else:
                status, payload = self.service.handle(method, parts.path, query, body)
            if inj and inj.status is not None:
                status, payload = inj.status, {"detail": f"injected failure {inj.status} (request was processed)"}
        self._answer(method, parts.path, status, payload, headers)

    def _answer(self, method: str, path: str, status: int, payload: Any, headers: dict[str, str]) -> None:
        out = b"" if payload is None else json.dumps(payload).encode()
        with self.service.lock:  # recorded before the answer leaves, so a caller that has it sees it listed
            self.service.requests.append((method, path, status))
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(out)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
            pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")


class LocalServiceServer:
    """The HTTP server around a ``LocalTransactionService``, in a background thread."""

    def __init__(self, service: LocalTransactionService, port: int = 0, host: str = "127.0.0.1",
                 rate_limit: RateLimit | None = None, before_request: Callable[[], None] | None = None) -> None:
        self.service = service
        handler = type("Handler", (_Handler,), {"service": service, "limit": rate_limit,
                                                "before_request": staticmethod(before_request) if before_request else None})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "LocalServiceServer":
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="local-safe-tx-service", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> "LocalServiceServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


STATE_FIX = "run `upgrader node reset` (it also forgets the local chain)"


def check_state_file(path: Path) -> dict[str, Any]:
    """The service's state file, parsed; InputError with the fix when it is corrupt."""
    if not path.exists():
        return {"transactions": {}}
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise InputError(f"the local Safe Transaction Service state {path} is unreadable or corrupt "
                         f"({type(exc).__name__}); {STATE_FIX}") from None
    if (not isinstance(data, dict) or not isinstance(data.get("transactions", {}), dict)
            or not isinstance(data.get("delegates", []), list)):
        raise InputError(f"the local Safe Transaction Service state {path} is not a "
                         f"{{\"transactions\": {{...}}, \"delegates\": [...]}} object; {STATE_FIX}")
    return data


def _chain_file(state: Path) -> Path:
    return state.with_name(state.stem + ".chain")


def forget_other_chains(state: Path, rpc_url: str) -> int:
    """Drop the proposals and delegates in ``state`` when they were made on another chain than
    the one at ``rpc_url`` (told apart by the genesis block hash); returns how many."""
    from upgrader.chain.anvil import rpc_call
    from upgrader.manifest.store import atomic_write

    try:
        genesis = rpc_call(rpc_url, "eth_getBlockByNumber", ["0x0", False], timeout=5.0)["hash"]  # type: ignore[index]
    except Exception:
        raise InputError(f"the chain at {rpc_url} does not answer; start it with `upgrader node start`") from None
    data = check_state_file(state)
    known = _chain_file(state).read_text().strip() if _chain_file(state).is_file() else None
    dropped = 0
    if known != genesis:
        dropped = len(data.get("transactions", {})) + len(data.get("delegates", []))
        if dropped:
            atomic_write(state, json.dumps({"delegates": [], "transactions": {}}, indent=1, sort_keys=True) + "\n")
        atomic_write(_chain_file(state), genesis + "\n")
    return dropped


class ManifestTrust:
    """Adds the manifest's MultiSendCallOnly to the service's trusted delegates when the
    manifest appears or changes (checked before each request: one stat call)."""

    def __init__(self, service: LocalTransactionService, path: Path | None) -> None:
        self.service, self.path, self.seen = service, path, None

    def __call__(self) -> None:
        if self.path is None:
            return
        try:
            stamp = self.path.stat().st_mtime_ns
        except OSError:
            return
        if stamp != self.seen:
            self.seen = stamp
            self.service.trusted.update(a.lower() for a in _trusted_from_manifest(self.path))


def _trusted_from_manifest(path: Path | None) -> tuple[str, ...]:
    if not path or not path.is_file():
        return ()
    try:
        msco = json.loads(path.read_text()).get("safe", {}).get("multisend_call_only")
    except (OSError, ValueError, AttributeError):
        return ()  # a broken manifest is reported by the commands that read it
    return (msco,) if isinstance(msco, str) and msco else ()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m upgrader.safe_service.local.server",
                                     description="A local Safe Transaction Service on loopback.")
    parser.add_argument("--rpc", required=True, help="JSON-RPC URL of the chain the Safes live on")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--state", type=Path, required=True, help="JSON file holding the proposals")
    parser.add_argument("--refuse-delegatecall", action="store_true",
                        help="refuse DELEGATECALL proposals except to trusted MultiSendCallOnly contracts (off by default, as in Safe's service)")
    parser.add_argument("--trust", action="append", default=[], help="an extra trusted MultiSendCallOnly (repeatable)")
    parser.add_argument("--manifest", type=Path, help="trust the MultiSendCallOnly recorded in this manifest")
    parser.add_argument("--rate-limit", type=float, help="answer 429 past this many requests per second")
    args = parser.parse_args(argv)
    try:
        check_state_file(args.state)
        dropped = forget_other_chains(args.state, args.rpc)
        service = LocalTransactionService(args.rpc, args.state, tuple(args.trust), args.refuse_delegatecall)
        limit = RateLimit(args.rate_limit) if args.rate_limit else None
        server = LocalServiceServer(service, args.port, rate_limit=limit, before_request=ManifestTrust(service, args.manifest))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        sys.exit(2)
    except OSError as exc:  # the port is taken
        print(f"error: cannot serve on 127.0.0.1:{args.port} ({exc.strerror}); choose another port", file=sys.stderr, flush=True)
        sys.exit(2)
    if dropped:
        print(f"forgot {dropped} proposal(s)/delegate(s) made on a chain that is gone", flush=True)
    print(f"local Safe service (Transaction Service and Queue Service paths) on {server.url} (state {args.state})", flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()


if __name__ == "__main__":
    main()
