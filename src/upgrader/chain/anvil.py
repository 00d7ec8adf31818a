"""Anvil process lifecycle: the persistent local node, and throwaway forks.

Forks are context managers that always stop their process (success, failure, Ctrl-C).
The local node is detached on purpose: it outlives the command that started it and keeps
its chain in ``.anvil/state.json`` so every later command sees the deployed system.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from upgrader.errors import InputError

LOCAL_PORT = 8545
LOCAL_URL = f"http://127.0.0.1:{LOCAL_PORT}"


def anvil_executable(root: Path | None = None) -> str:
    candidates = []
    if root is not None:
        candidates.append(root / "node_modules" / ".bin" / "anvil-real")
        candidates.append(root / "node_modules" / ".bin" / "anvil")
    for c in candidates:
        if c.exists():
            return str(c)
    found = shutil.which("anvil")
    if not found:
        raise InputError("anvil not found; run `make install` (it comes from the npm package @foundry-rs/anvil)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rpc_call(url: str, method: str, params: list | None = None, timeout: float = 5.0) -> object:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        reply = json.loads(resp.read())
    if "error" in reply:
        raise RuntimeError(f"{method}: {reply['error'].get('message')}")
    return reply["result"]


def is_up(url: str, timeout: float = 1.0) -> bool:
    try:
        rpc_call(url, "eth_chainId", timeout=timeout)
        return True
    except (OSError, urllib.error.URLError, ValueError, RuntimeError):
        return False


def _wait_up(url: str, proc: subprocess.Popen | None, deadline_s: float, log: Path | None) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if is_up(url, timeout=0.5):
            return
        if proc is not None and proc.poll() is not None:
            tail = log.read_text()[-400:] if log and log.exists() else ""
            raise InputError(f"anvil exited with code {proc.returncode} before answering: {tail.strip()}")
        time.sleep(0.05)
    raise InputError(f"anvil did not answer on {url} within {deadline_s:.0f} s")


@dataclass
class AnvilProcess:
    url: str
    proc: subprocess.Popen

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start(args: list[str], root: Path | None = None, log: Path | None = None, timeout_s: float = 20.0) -> AnvilProcess:
    port = free_port()
    cmd = [anvil_executable(root), "--host", "127.0.0.1", "--port", str(port), *args]
    out = open(log, "ab") if log else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    anvil = AnvilProcess(url=f"http://127.0.0.1:{port}", proc=proc)
    try:
        _wait_up(anvil.url, proc, timeout_s, log)
    except BaseException:
        anvil.stop()
        raise
    return anvil


@contextlib.contextmanager
def running(args: list[str] | None = None, root: Path | None = None, log: Path | None = None) -> Iterator[AnvilProcess]:
    """An Anvil on a free port, stopped on exit whatever happens (also on Ctrl-C)."""
    anvil = start(args or [], root=root, log=log)
    previous = signal.getsignal(signal.SIGTERM)

    def _terminate(signum, frame):  # SIGTERM to us: stop the child, then behave as before
        anvil.stop()
        raise KeyboardInterrupt

    main_thread = threading.current_thread() is threading.main_thread()
    if main_thread:  # signal handlers can only be installed from the main thread
        signal.signal(signal.SIGTERM, _terminate)
    try:
        yield anvil
    finally:
        anvil.stop()
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def fork(fork_url: str, fork_block: int | None = None, root: Path | None = None) -> Iterator[AnvilProcess]:
    args = ["--fork-url", fork_url, "--silent"]
    if fork_block is not None:
        args += ["--fork-block-number", str(fork_block)]
    with running(args, root=root) as anvil:
        yield anvil


# -- the persistent local node -------------------------------------------------------------

def state_dir(root: Path) -> Path:
    return root / ".anvil"


def ensure_local_node(root: Path, url: str = LOCAL_URL) -> str:
    """Make sure the local chain answers on ``url``; start it from its state file if not."""
    if is_up(url):
        return url
    folder = state_dir(root)
    folder.mkdir(exist_ok=True)
    state = folder / "state.json"
    log = folder / "anvil.log"
    port = url.rsplit(":", 1)[1]
    cmd = [anvil_executable(root), "--host", "127.0.0.1", "--port", port, "--state", str(state), "--state-interval", "1"]
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    (folder / "anvil.pid").write_text(str(proc.pid))
    _wait_up(url, proc, 20.0, log)
    return url


def stop_local_node(root: Path) -> bool:
    pid_file = state_dir(root) / "anvil.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            os.kill(pid, 0)
            time.sleep(0.05)
    except (ProcessLookupError, ValueError):
        pass
    pid_file.unlink(missing_ok=True)
    return True


def reset_local_node(root: Path) -> None:
    """Stop the local node and forget its chain (and the local deployment records)."""
    stop_local_node(root)
    shutil.rmtree(state_dir(root), ignore_errors=True)
    shutil.rmtree(root / "deployments" / "local", ignore_errors=True)
