"""The fork takes the URLs the endpoint pool takes (issue 22, point 3): an RPC behind HTTP
Basic auth, given as ``http://user:pass@host/``, serves `status`, `plan` and `simulate` alike;
the credentials are on no command line (Anvil's included) and in no output."""

from __future__ import annotations

import base64
import json
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from faults_helpers import planned

pytestmark = pytest.mark.chain
USER, PASSWORD = "team", "s3cret-Pa55word"


@pytest.fixture
def basic_auth_rpc(anvil) -> Iterator[tuple[str, list[str]]]:
    """A JSON-RPC endpoint that answers (from the session Anvil) only with the right Basic
    credentials, 401 otherwise; (its URL with credentials, the command lines seen while it ran)."""
    want = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    cmdlines: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            cmdlines.extend(p.read_bytes().replace(b"\0", b" ").decode(errors="replace")
                            for p in Path("/proc").glob("[0-9]*/cmdline") if _readable(p))
            if self.headers.get("Authorization") != want:
                self._send(401, b'{"error": "unauthorized"}')
                return
            req = urllib.request.Request(anvil.url, body, {"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=60) as resp:
                self._send(200, resp.read())

        def _send(self, code: int, data: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{USER}:{PASSWORD}@127.0.0.1:{server.server_address[1]}/", cmdlines
    finally:
        server.shutdown()
        server.server_close()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:  # a client that went away: not the test's output
        pass


def _readable(p: Path) -> bool:
    try:
        p.read_bytes()
        return True
    except OSError:
        return False


def test_simulate_through_an_rpc_with_credentials_in_its_url(cli, basic_auth_rpc):
    url, cmdlines = basic_auth_rpc
    env = {"UPGRADER_RPC_LOCAL": url}
    status = cli.run("status", "--json", env=env)
    assert status.exit_code == 0, status.stderr
    path, _ = planned(cli)
    result = cli.run("simulate", str(path), "--json", env=env)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["ok"] is True
    assert cmdlines, "the endpoint was never asked"
    assert not [c for c in cmdlines if PASSWORD in c], "the credentials were on a command line"
    assert PASSWORD not in result.stdout + result.stderr + status.stdout + status.stderr


@pytest.fixture
def fork_upstream_fails(anvil) -> Iterator[tuple[str, dict[str, str]]]:
    """The session Anvil behind an endpoint that serves upgrader itself (python's requests and
    urllib) but, once a fork (Anvil's own HTTP client) asks it for state, resets the connection
    ("reset") or stalls past the fork's timeout ("stall"); (its URL, the mode to set)."""
    mode: dict[str, str] = {"how": "reset"}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            agent = self.headers.get("User-Agent", "")
            method = json.loads(body).get("method") if body.startswith(b"{") else None
            ours = agent.startswith(("python-requests", "Python-urllib"))
            if not ours and method == "eth_getStorageAt":  # the fork reads a contract's storage: the fork is running
                if mode["how"] == "stall":
                    import time

                    time.sleep(30)
                self.close_connection = True
                self.connection.close()
                return
            req = urllib.request.Request(anvil.url, body, {"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=60) as resp:
                data = resp.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = _QuietServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v3/key0123456789abcdef", mode
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("how", ["reset", "stall"])
def test_fork_upstream_fails_mid_simulation(cli, fork_upstream_fails, how):
    from faults_helpers import one_error_line

    url, mode = fork_upstream_fails
    mode["how"] = how
    path, _ = planned(cli)
    before = cli.files()
    result = cli.run("simulate", str(path), env={"UPGRADER_RPC_LOCAL": url})
    assert result.exit_code == 2, result.stdout + result.stderr
    line = one_error_line(result.stderr)
    port = url.split(":")[2].split("/")[0]
    assert f"http://127.0.0.1:{port}" in line and "key0123456789" not in result.stderr + result.stdout, line
    # Anvil either answers the failed read with a JSON-RPC error or aborts (a panic in its fork
    # backend, exit -6) — both seen here; either way the line names the fork's upstream
    assert ("failed while the fork read from it" in line or f"(of http://127.0.0.1:{port}/" in line) \
        and "run the command again" in line, line
    assert cli.files() == before
