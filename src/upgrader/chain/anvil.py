"""Anvil processes: throwaway nodes and forks (the persistent local chain is
``upgrader.localstack``).

Forks are context managers that always stop their process: on success, failure, Ctrl-C and
SIGTERM by the ``with`` block, and on SIGKILL/SIGHUP of the parent by the kernel
(``procs.die_with_parent``). Each fork also carries ``UPGRADER_FORK_OF=<checkout>`` in its
environment so ``upgrader node stop`` can find any fork this checkout left behind.
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

from upgrader.errors import InputError, NodeError, NodeUnavailable

from upgrader.chain import procs
from upgrader.chain.redact import redact

FORK_ANSWER_S = 5.0  # a fork URL must answer eth_chainId within this
FORK_START_S = 9.0  # ... and Anvil must then have forked it within this (15 s in all, at most)


def anvil_executable(root: Path | None = None) -> str:
    """The Anvil binary itself: npm's ``node_modules/.bin/anvil`` is a Node script that runs
    it as a child, which would leave the real node behind when the script is killed."""
    for base in (root, Path(__file__).resolve().parents[3]):
        if base is None:
            continue
        native = sorted((base / "node_modules" / "@foundry-rs").glob("anvil-*/bin/anvil"))
        if native:
            return str(native[0])
        if (base / "node_modules" / ".bin" / "anvil").exists():
            return str(base / "node_modules" / ".bin" / "anvil")
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
    from upgrader.chain.urlauth import request

    req = request(url, body)
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        reply = json.loads(resp.read())
    if "error" in reply:
        raise NodeError(f"{redact(url)} answered {method} with an error: {reply['error'].get('message')}")
    return reply["result"]


def is_up(url: str, timeout: float = 1.0) -> bool:
    try:
        rpc_call(url, "eth_chainId", timeout=timeout)
        return True
    except (OSError, urllib.error.URLError, ValueError, NodeError):
        return False


def _wait_up(url: str, proc: subprocess.Popen | None, deadline_s: float, log: Path | None) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if is_up(url, timeout=0.5):
            return
        if proc is not None and proc.poll() is not None:
            raise InputError(f"anvil exited with code {proc.returncode} before answering: {last_line(log)}")
        time.sleep(0.05)
    raise InputError(f"anvil did not answer on {url} within {deadline_s:.0f} s")


def last_line(log: Path | None) -> str:
    """The last non-empty line of a log, without ANSI colours, at most 200 characters."""
    import re

    if not log or not log.exists():
        return "(no log)"
    lines = [ln.strip() for ln in re.sub(r"\x1b\[[0-9;]*m", "", log.read_text(errors="replace")).splitlines() if ln.strip()]
    return lines[-1][:200] if lines else "(empty log)"


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


def start(args: list[str], root: Path | None = None, log: Path | None = None, timeout_s: float = 20.0,
          env: dict[str, str] | None = None, cwd: Path | None = None) -> AnvilProcess:
    """An Anvil on a free port that dies with this process (SIGKILL included)."""
    port = free_port()
    cmd = [anvil_executable(root), "--host", "127.0.0.1", "--port", str(port), *args]
    out = open(log, "ab") if log else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})}, cwd=cwd, preexec_fn=procs.die_with_parent())
    anvil = AnvilProcess(url=f"http://127.0.0.1:{port}", proc=proc)
    try:
        _wait_up(anvil.url, proc, timeout_s, log)
    except BaseException:
        anvil.stop()
        raise
    return anvil


@contextlib.contextmanager
def running(args: list[str] | None = None, root: Path | None = None, log: Path | None = None,
            timeout_s: float = 20.0, env: dict[str, str] | None = None) -> Iterator[AnvilProcess]:
    """An Anvil on a free port, stopped on exit whatever happens (Ctrl-C, SIGTERM, SIGHUP)."""
    with stopped_on_exit(start(args or [], root=root, log=log, timeout_s=timeout_s, env=env)) as anvil:
        yield anvil


@contextlib.contextmanager
def stopped_on_exit(anvil: AnvilProcess) -> Iterator[AnvilProcess]:
    handled = (signal.SIGTERM, signal.SIGHUP)
    previous = {s: signal.getsignal(s) for s in handled}

    def _terminate(signum, frame):  # SIGTERM/SIGHUP to us: stop the child, then end as interrupted
        anvil.stop()
        raise KeyboardInterrupt

    main_thread = threading.current_thread() is threading.main_thread()
    if main_thread:  # signal handlers can only be installed from the main thread
        for s in handled:
            signal.signal(s, _terminate)
    try:
        yield anvil
    finally:
        anvil.stop()
        if main_thread:
            for s, handler in previous.items():
                signal.signal(s, handler)


def probe_fork_url(fork_url: str, timeout_s: float = FORK_ANSWER_S) -> int | None:
    """The fork URL answers eth_chainId within ``timeout_s`` (its chain id); InputError naming it otherwise
    (Anvil itself would wait on a hung URL far longer and then only say that it did not start)."""
    where = redact(fork_url)
    try:
        answer = rpc_call(fork_url, "eth_chainId", timeout=timeout_s)
    except TimeoutError:
        raise InputError(f"the fork URL {where} did not answer within {timeout_s:.0f} s; check --fork-url or the network's rpc") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError) or "timed out" in str(exc.reason):
            raise InputError(f"the fork URL {where} did not answer within {timeout_s:.0f} s; check --fork-url or the network's rpc") from None
        raise InputError(f"the fork URL {where} is unreachable ({exc.reason}); check --fork-url or the network's rpc") from None
    except (OSError, ValueError, NodeError) as exc:
        raise InputError(f"the fork URL {where} did not answer JSON-RPC ({type(exc).__name__}); check --fork-url or the network's rpc") from None
    try:
        return int(str(answer), 0)
    except (TypeError, ValueError):
        return None


DEV_CHAIN_IDS = (31337, 1337)  # Anvil/Hardhat and Ganache/Geth --dev: blocks that can be reverted


@contextlib.contextmanager
def fork(fork_url: str, fork_block: int | None = None, root: Path | None = None) -> Iterator[AnvilProcess]:
    """An Anvil fork of ``fork_url``; within 15 s it answers or the error names the fork URL.

    The URL (it may hold an API key) is never on the command line, where `ps` shows it to
    every user: Anvil resolves ``--fork-url upstream`` through the ``[rpc_endpoints]`` table of
    the foundry.toml in its working folder, which names ``${ETH_RPC_URL}``, and the URL is in
    the child's environment only."""
    import tempfile

    chain_id = probe_fork_url(fork_url)
    args = ["--fork-url", FORK_ALIAS, "--silent", "--timeout", str(int(FORK_START_S * 1000) - 1000), "--retries", "1"]
    if chain_id in DEV_CHAIN_IDS:
        # Anvil caches a fork's state per chain and block on disk (~/.foundry/cache/rpc/anvil-hardhat/<block>
        # for 31337), and reads it back for the next fork at that block number; a dev chain's block N
        # is not final (evm_revert, a restarted node), so a later fork read the old code and storage
        args += ["--no-storage-caching"]
    if fork_block is not None:
        args += ["--fork-block-number", str(fork_block)]
    env = {"ETH_RPC_URL": fork_url}
    if root is not None:
        env.update({procs.FORK_MARKER: str(root.resolve()), procs.FORK_PARENT: str(os.getpid())})
    with tempfile.TemporaryDirectory(prefix="upgrader-fork-") as folder:
        (Path(folder) / "foundry.toml").write_text(f'[rpc_endpoints]\n{FORK_ALIAS} = "${{ETH_RPC_URL}}"\n')
        try:
            node = start(args, root=root, timeout_s=FORK_START_S, env=env, cwd=Path(folder))
        except InputError as exc:
            raise InputError(f"the fork URL {redact(fork_url)} did not answer Anvil's fork requests "
                             f"({redact_all(str(exc), fork_url)}); check --fork-url or the network's rpc") from None
        with stopped_on_exit(node) as anvil, fork_lost(anvil, fork_url):
            yield anvil


FORK_ALIAS = "upstream"


def redact_all(text: str, url: str) -> str:
    from upgrader.chain.redact import scrub

    return scrub(text, [url])


# What Anvil answers when its upstream fails under a fork (foundry's fork backend: "failed to get
# storage/account/code ...: error sending request for url (...)", "Fork Error: Transport(...)").
UPSTREAM_SIGNS = ("error sending request", "fork error", "transport(", "operation timed out", "connection reset",
                  "connection refused", "connection closed")


def upstream_failure(exc: BaseException, fork_url: str) -> str | None:
    """The reason, credentials scrubbed, when ``exc`` is the fork's JSON-RPC error for a failed
    read from its upstream; None for anything else."""
    text = str(exc)
    low = text.lower()
    bare = fork_url.split("://", 1)[-1].split("@", 1)[-1].split("/", 1)[0]
    if not any(sign in low for sign in UPSTREAM_SIGNS) or not (bare in text or "fork error" in low):
        return None
    reason = redact_all(text, fork_url).rsplit(";", 1)[-1].strip(" '\"}{)")
    for sign in UPSTREAM_SIGNS:
        if sign in reason.lower():
            return reason[:120]
    return next((s.strip("( ") for s in UPSTREAM_SIGNS if s in low), "a transport error")


UPSTREAM_ERROR_REPLY = "server returned an error response"  # Anvil's words for an upstream's JSON-RPC error


def upstream_error_reply(exc: BaseException, fork_url: str) -> str | None:
    """The upstream's own error, credentials scrubbed, when ``exc`` is the fork's error for a read
    its upstream answered with a JSON-RPC error (a pruned state, a refused method); else None."""
    text = str(exc)
    at = text.lower().find(UPSTREAM_ERROR_REPLY)
    if at < 0:
        return None
    return redact_all(text[at + len(UPSTREAM_ERROR_REPLY):], fork_url).strip(" :'\"}{)")[:160] or "no message"


@contextlib.contextmanager
def fork_lost(node: AnvilProcess, fork_url: str) -> Iterator[None]:
    """A connection to the fork lost mid-command (it died, was killed, or closed on us) as one
    line naming the fork; a lost connection to anything else goes on to the CLI boundary."""
    from upgrader.chain import transport

    try:
        yield
    except Exception as exc:
        answered = upstream_error_reply(exc, fork_url)
        if answered is not None:
            raise NodeError(f"the fork's RPC {redact(fork_url)} answered a read of the fork with an error ({answered}); "
                            "use an RPC that serves that block's state (an archive node, or another --fork-url)") from None
        upstream = upstream_failure(exc, fork_url)
        if upstream is not None:
            raise NodeUnavailable(f"the fork's RPC {redact(fork_url)} failed while the fork read from it ({upstream}); "
                             "check that it is up and answers quickly (or pass another --fork-url), then run the "
                             "command again") from None
        if not transport.is_transport(exc):
            raise
        code = node.proc.poll()
        if code is None and transport.endpoint(exc) not in (node.url, None):
            raise
        how = "stopped answering" if code is None else f"exited (code {code})"
        raise NodeUnavailable(f"the Anvil fork at {node.url} (of {redact(fork_url)}) {how} mid-command "
                         f"({transport.kind(exc)}); run the command again") from None
