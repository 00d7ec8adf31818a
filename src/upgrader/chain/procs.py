"""Processes we start, and how to tell them apart from processes we did not start.

A PID file alone proves nothing (after a reboot the number belongs to someone else), so a
process is ours only when its live command line says so: the executable and the state file
of this checkout. Forks have no state file; they carry an environment marker naming the
checkout instead. On Linux the kernel is asked directly (``/proc``); elsewhere ``ps`` gives
the command line and the environment check is skipped.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

FORK_MARKER = "UPGRADER_FORK_OF"  # environment of a fork Anvil: the checkout that started it
FORK_PARENT = "UPGRADER_FORK_PARENT"  # ... and the PID of the command that uses it
PROC = Path("/proc")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive, but not ours
        return True
    with contextlib.suppress(OSError):  # a zombie is dead for our purposes
        if (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def cmdline(pid: int) -> list[str] | None:
    """The live command line of ``pid``, or None when there is no such process."""
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
        return [a.decode(errors="replace") for a in raw.split(b"\0") if a] or None
    except FileNotFoundError:
        return None
    except OSError:
        pass
    if sys.platform.startswith("linux"):
        return None
    out = subprocess.run(["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True, check=False)
    return out.stdout.split() or None


def has_env(pid: int, key: str, value: str) -> bool:
    try:
        raw = (PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return False
    return f"{key}={value}".encode() in raw.split(b"\0")


def env_value(pid: int, key: str) -> str | None:
    try:
        raw = (PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return None
    prefix = key.encode() + b"="
    return next((e[len(prefix):].decode(errors="replace") for e in raw.split(b"\0") if e.startswith(prefix)), None)


def parent(pid: int) -> int | None:
    try:
        status = (PROC / str(pid) / "status").read_text()
    except OSError:
        return None
    return next((int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("PPid:")), None)


def option(args: list[str], name: str) -> str | None:
    """The value of ``--name VALUE`` or ``--name=VALUE`` in a command line."""
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return None


def listener(port: int) -> int | None:
    """The PID of the process listening on TCP ``port`` on this machine (Linux; else None)."""
    inodes = set()
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            for row in (PROC / "net" / table).read_text().splitlines()[1:]:
                f = row.split()
                if f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                    inodes.add(f[9])
    if not inodes:
        return None
    wanted = {f"socket:[{i}]" for i in inodes}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in wanted:
                        return int(entry.name)
    return None


def with_env_marker(key: str, value: str) -> list[int]:
    """PIDs of live processes (of this user) whose environment holds ``key=value``."""
    found = []
    with contextlib.suppress(OSError):
        for entry in PROC.iterdir():
            if entry.name.isdigit() and int(entry.name) != os.getpid() and has_env(int(entry.name), key, value):
                found.append(int(entry.name))
    return [p for p in found if alive(p)]


def terminate(pid: int, wait_s: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it is still there after ``wait_s``; returns once it is gone
    (or when it is not ours to wait for)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait_s
    while alive(pid):
        _reap(pid)
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
        time.sleep(0.02)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


_PR_SET_PDEATHSIG = 1


def die_with_parent():  # -> Callable[[], None] | None
    """A ``preexec_fn`` for a child that must not outlive this process, even when it is
    SIGKILLed: the kernel sends the child SIGKILL when the thread that started it dies
    (Linux prctl PR_SET_PDEATHSIG; None elsewhere). libc is loaded here, in the parent, so
    the function run between fork and exec only makes two system calls."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec
