"""A connection lost mid-command is one line and exit 2, never a traceback: the simulate fork
killed under the command, and an RPC endpoint that answers eth_chainId and then closes every
other request (the CLI boundary, human and --json)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from faults_helpers import one_error_line, planned

pytestmark = pytest.mark.chain


def _anvil_children(cli, parent: int) -> list[int]:
    return [p for p in cli.leftovers() if p != parent and b"anvil" in Path(f"/proc/{p}/cmdline").read_bytes()]


def _port_of(pid: int) -> int:
    args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    return int(args[args.index(b"--port") + 1])


def _answers(port: int) -> bool:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode()
    try:
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}", body, {"Content-Type": "application/json"}), timeout=1)
        return True
    except OSError:
        return False


class _SlowForward(BaseHTTPRequestHandler):
    """A real upstream, answering every JSON-RPC request ``delay`` seconds late: the fork reads
    its state lazily from upstream, so a simulation through it lasts seconds and a kill lands
    while the command is reading the fork, on any machine."""

    upstream = ""
    delay = 0.05

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(self.delay)
        request = urllib.request.Request(self.upstream, body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            data = answer.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def _slow_upstream(url: str) -> Iterator[str]:
    handler = type("Forward", (_SlowForward,), {"upstream": url})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("json_out", [False, True])
def test_simulate_fork_killed_mid_command(cli, anvil, json_out):
    path, _ = planned(cli)
    with _slow_upstream(anvil.url) as slow:
        proc = cli.spawn("simulate", str(path), *(["--json"] if json_out else []), env={"UPGRADER_RPC_LOCAL": slow})
        try:
            deadline = time.monotonic() + 60
            forks: list[int] = []
            while time.monotonic() < deadline and not (forks and _answers(_port_of(forks[0]))):
                forks = _anvil_children(cli, proc.pid)
                time.sleep(0.05)
            assert forks, "simulate started no fork"
            time.sleep(0.3)  # the command is now reading the fork (each upstream read costs 50 ms)
            assert proc.poll() is None, "simulate ended before the fork was killed: " + proc.stderr.read()
            os.kill(forks[0], signal.SIGKILL)
            out, err = proc.communicate(timeout=120)
        finally:
            proc.kill()
            proc.wait()
    assert proc.returncode == 2, (out, err)
    line = one_error_line(err)
    assert "Anvil fork at http://127.0.0.1:" in line and "again" in line, line
    if json_out:
        assert json.loads(out)["error"]["kind"] == "unavailable"  # a lost node is an outage, not bad input
    else:
        assert out == ""
    assert not list(cli.plans.glob("*.simulation.json")), "a simulation report was written"
    # the cli fixture asserts that no fork (no tagged process) is left


class _ClosesAfterChainId(BaseHTTPRequestHandler):
    """eth_chainId answered as the session Anvil answers it; any other request: the connection closed."""

    chain_id = "0x7a69"

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if isinstance(body, dict) and body.get("method") == "eth_chainId":
            data = json.dumps({"jsonrpc": "2.0", "id": body["id"], "result": self.chain_id}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.close_connection = True
        self.connection.close()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def closing_rpc(anvil) -> Iterator[str]:
    _ClosesAfterChainId.chain_id = json.loads(urllib.request.urlopen(urllib.request.Request(
        anvil.url, json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode(),
        {"Content-Type": "application/json"}), timeout=5).read())["result"]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ClosesAfterChainId)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/rpc/secretkey1234567890"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("json_out", [False, True])
def test_connection_closed_mid_command_is_one_line(cli, closing_rpc, json_out):
    result = cli.run("status", *(["--json"] if json_out else []), env={"UPGRADER_RPC_LOCAL": closing_rpc})
    detail = f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}\nexc: {result.exception!r}"
    assert result.exit_code == 2, detail
    line = one_error_line(result.stderr)
    port = closing_rpc.split(":")[2].split("/")[0]
    assert f"http://127.0.0.1:{port}" in line and "again" in line, line
    assert "secretkey" not in result.stderr + result.stdout, "the URL's key was printed"
    if json_out:
        assert json.loads(result.stdout)["error"]["kind"] == "unavailable"  # an outage, not bad input
    else:
        assert result.stdout == ""
