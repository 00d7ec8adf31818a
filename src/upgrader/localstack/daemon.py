"""One detached process of the local stack (the chain, the Safe service): start it, tell
whether what answers on its port is ours, and stop only what is ours.

A process is this checkout's when its live command line names this checkout's state file and
the configured port (``procs.cmdline``); the PID file only says where to look first. Anything
else on the port is foreign: we neither adopt nor signal it, and the error names its owner.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from upgrader.chain import procs
from upgrader.errors import InputError

State = Literal["running", "stopped", "foreign"]


@dataclass(frozen=True)
class Component:
    name: str  # "chain" | "service": the key in `node status --json`
    title: str  # what a person calls it
    port: int
    url: str
    state: Path  # the state file named in its command line: its identity
    pid_file: Path
    log: Path
    command: Callable[[], list[str]]
    answers: Callable[[], bool]
    check_state: Callable[[], None]  # InputError (with the fix) when the state file is corrupt
    settings_key: str  # where its port is configured, for the "port taken" message


@dataclass(frozen=True)
class Status:
    component: Component
    state: State
    pid: int | None = None
    owner: str | None = None  # for "foreign": the checkout (or command) holding the port

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state, "url": self.component.url, "pid": self.pid, "owner": self.owner,
                "state_file": str(self.component.state), "log": str(self.component.log)}


def is_ours(c: Component, pid: int) -> bool:
    args = procs.cmdline(pid)
    if not args or not procs.alive(pid):
        return False
    state = procs.option(args, "--state")
    return state is not None and Path(state).resolve() == c.state.resolve() and procs.option(args, "--port") == str(c.port)


def recorded_pid(c: Component) -> int | None:
    try:
        return int(json.loads(c.pid_file.read_text())["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def owner_of(pid: int | None) -> str:
    """The checkout whose stack process ``pid`` is, else its command, else 'another process'."""
    args = procs.cmdline(pid) if pid else None
    if not args:
        return "another process" + (f" (pid {pid})" if pid else "")
    state = procs.option(args, "--state")
    if state and Path(state).parent.name == ".anvil":
        return f"the checkout {Path(state).resolve().parent.parent} (pid {pid})"
    return f"pid {pid} ({' '.join(args)[:80]})"


def status(c: Component) -> Status:
    pid = recorded_pid(c)
    if pid is not None and is_ours(c, pid):
        return Status(c, "running", pid)
    listener = procs.listener(c.port)
    if listener is not None and is_ours(c, listener):  # ours, started by someone else (ape's wrapper)
        return Status(c, "running", listener)
    if listener is None and not c.answers():
        return Status(c, "stopped")
    return Status(c, "foreign", listener, owner_of(listener))


def refuse(st: Status) -> InputError:
    c = st.component
    return InputError(f"127.0.0.1:{c.port} is held by {st.owner}, not by this checkout's {c.title}; stop it there "
                      f"(`upgrader node stop` in that checkout) or set {c.settings_key} to another port")


def start(c: Component, wait_s: float = 30.0) -> tuple[Status, bool]:
    """Start ``c`` unless it is running; returns its status and whether it was started now."""
    st = status(c)
    if st.state == "running":
        return st, False
    if st.state == "foreign":
        raise refuse(st)
    c.check_state()
    c.pid_file.parent.mkdir(parents=True, exist_ok=True)
    with open(c.log, "ab") as out:
        proc = subprocess.Popen(c.command(), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)  # detached: it outlives this command on purpose
    from upgrader.manifest.store import atomic_write

    atomic_write(c.pid_file, json.dumps({"pid": proc.pid, "port": c.port, "state": str(c.state)}) + "\n")
    deadline = time.monotonic() + wait_s
    while not c.answers():
        if proc.poll() is not None:
            c.pid_file.unlink(missing_ok=True)
            raise InputError(f"the {c.title} did not start: {_reason(c)}")
        if time.monotonic() > deadline:
            procs.terminate(proc.pid)
            c.pid_file.unlink(missing_ok=True)
            raise InputError(f"the {c.title} did not answer on {c.url} within {wait_s:.0f} s; see {c.log}")
        time.sleep(0.05)
    return Status(c, "running", proc.pid), True


def _reason(c: Component) -> str:
    from upgrader.chain.anvil import last_line

    line = last_line(c.log)
    return line[len("error: "):] if line.startswith("error: ") else f"{line} (log {c.log})"


def stop(c: Component) -> str:
    """Stop ``c`` if it is ours; a PID file pointing at anyone else is only removed."""
    pid = recorded_pid(c)
    if pid is not None and is_ours(c, pid):
        procs.terminate(pid)
        c.pid_file.unlink(missing_ok=True)
        return "stopped"
    c.pid_file.unlink(missing_ok=True)
    st = status(c)
    if st.state == "running" and st.pid:
        procs.terminate(st.pid)
        return "stopped"
    if pid is not None and procs.alive(pid):
        return f"not running (the PID file named pid {pid}, which is not ours: left alone)"
    return "not running"
