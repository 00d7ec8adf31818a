"""Reading one input file: a regular file only, never more than its kind's size limit.

The file is opened with O_NONBLOCK so that a FIFO without a writer cannot hang the open,
then judged by ``fstat`` on the open descriptor (no window between a check and the open):
FIFOs, devices, sockets and directories are refused with one line, and so is a file larger
than the limit of its kind, before anything is read. ``/dev/zero`` or a named pipe named as a
batch file therefore ends at once with exit 2 instead of filling memory or waiting forever.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from upgrader.errors import InputError

MiB = 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    """What a file is for: its name in messages, its size limit, its JSON nesting limit and
    what to do when it is wrong."""

    name: str
    max_bytes: int
    max_depth: int
    hint: str = ""


# One row per kind of file a command reads. Depth limits are far above what the writers of
# these files produce (a Transaction Builder file with tuple arguments is < 20 deep; a solc
# AST of deeply nested expressions a few hundred) and below what Python's parser survives.
KINDS: dict[str, FileKind] = {
    "proposal": FileKind("Safe transaction or batch file", 64 * MiB, 64),
    "plan": FileKind("plan", 64 * MiB, 64, "re-run `upgrader plan`"),
    "simulation": FileKind("simulation report", 16 * MiB, 64, "re-run `upgrader simulate`"),
    "manifest": FileKind("manifest", 64 * MiB, 64),
    "build-info": FileKind("build-info", 1024 * MiB, 900, "rebuild it"),
    "json-text": FileKind("JSON value", 16 * MiB, 64),
}


def kind_of(kind: str | FileKind) -> FileKind:
    return kind if isinstance(kind, FileKind) else KINDS[kind]


def _what(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def open_regular(path: str | os.PathLike[str], kind: str | FileKind = "proposal", missing: str | None = None) -> tuple[int, os.stat_result]:
    """An open descriptor of ``path`` and its ``fstat`` if it is a regular file within the
    kind's size limit; otherwise an ``InputError`` (``missing``: the message for a file that does
    not exist). The caller closes the descriptor."""
    k = kind_of(kind)
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError(missing or f"no such file: {p}") from None
    except IsADirectoryError:
        raise InputError(f"{p} is a directory, not a {k.name} file") from None
    except OSError as exc:
        raise InputError(f"cannot open {k.name} {p}: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        what = _what(st.st_mode)
        if what is not None:
            raise InputError(f"{p} is {what}, not a {k.name} file; pass a regular file")
        if st.st_size > k.max_bytes:
            raise InputError(f"{p} is {_size(st.st_size)}, over the {_size(k.max_bytes)} limit for a {k.name}")
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def read_regular(path: str | os.PathLike[str], kind: str | FileKind = "proposal", missing: str | None = None) -> bytes:
    """The bytes of ``path`` if it is a regular file within the kind's size limit; otherwise
    an ``InputError`` (``missing`` is the message for a file that does not exist)."""
    k = kind_of(kind)
    p = Path(path)
    fd, st = open_regular(path, k, missing)
    with os.fdopen(fd, "rb", buffering=0) as f:
        try:
            data = _read_at_most(f, st.st_size, k.max_bytes)
        except OSError as exc:
            raise InputError(f"cannot read {k.name} {p}: {exc.strerror or exc}") from None
    if len(data) > k.max_bytes:
        raise InputError(f"{p} grew over the {_size(k.max_bytes)} limit for a {k.name} while it was read")
    return data


def _read_at_most(f, expected: int, limit: int) -> bytes:
    """Read the whole file, but never more than ``limit + 1`` bytes (a file may grow, and some
    regular files, e.g. under /proc, report size 0)."""
    chunks: list[bytes] = []
    total, want = 0, min(expected, limit) + 1
    while total <= limit:
        chunk = f.read(max(want - total, 64 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        want = min(limit + 1, max(want, total + 1))
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _size(n: int) -> str:
    return f"{n / MiB:.1f} MiB" if n >= MiB else f"{n} bytes"
