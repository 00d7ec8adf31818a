"""A lock per network for the steps that must not interleave across processes: choosing a
Safe nonce and posting a proposal (three `upgrader propose` of one plan at once must queue one
Safe transaction, not one per nonce).

An ``fcntl.flock`` on ``deployments/<network>/.<name>.lock``: the kernel drops it when the
holder dies, so a killed run never leaves the network locked. Waiting is bounded by the
command's deadline."""

from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Iterator
from pathlib import Path

from upgrader.errors import InputError

POLL_S = 0.05


@contextlib.contextmanager
def network_lock(folder: Path, name: str, deadline_at: float | None = None, what: str = "") -> Iterator[None]:
    """Hold ``folder/.<name>.lock`` exclusively; wait for it until ``deadline_at``
    (``time.monotonic()`` seconds; None: wait as long as it takes)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f".{name}.lock"
    with open(path, "a") as lock:
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline_at is not None and time.monotonic() >= deadline_at:
                    raise InputError(f"another {what or name} on this network still holds {path}; "
                                     "let it finish, then re-run") from None
                time.sleep(POLL_S)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
