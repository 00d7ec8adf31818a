"""An operating-system refusal on one of upgrader's own files (the deployments folder, a lock, a
cache), as one line naming the path and what to do (issue 22): permission (EACCES), an
immutable file or folder (EPERM), a read-only file system (EROFS), a full disk (ENOSPC) or a
spent quota (EDQUOT). Every other OSError is not described here."""

from __future__ import annotations

import errno
import os
from pathlib import Path

__all__ = ["FIXES", "describe", "is_ours"]

# errno -> (what happened, what to do with {folder})
FIXES: dict[int, tuple[str, str]] = {
    errno.EACCES: ("permission denied", "give this user write access to {folder} (chown/chmod), or set "
                   "UPGRADER_DEPLOYMENTS to a folder it can write"),
    errno.EPERM: ("operation not permitted", "{folder} or the file may be immutable (`lsattr`; `chattr -i`) or "
                  "owned by another user; make it writable, or set UPGRADER_DEPLOYMENTS to another folder"),
    errno.EROFS: ("read-only file system", "mount {folder} read-write, or set UPGRADER_DEPLOYMENTS to a folder on a "
                  "writable disk"),
    errno.ENOSPC: ("no space left on the device", "free space on the disk holding {folder}, then run the command again"),
    errno.EDQUOT: ("disk quota exceeded", "free space within your quota on {folder}, then run the command again"),
}


def is_ours(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in FIXES


def describe(exc: BaseException, path: Path | str | None = None, written: bool = True) -> str | None:
    """One line for ``exc`` (None when it is not one of FIXES): ``path`` (else the exception's own
    file name), what happened, that nothing was written when ``written`` (the atomic writer
    leaves the old file as it was), and the fix."""
    if not is_ours(exc):
        return None
    assert isinstance(exc, OSError)
    where = str(path if path is not None else (exc.filename or exc.filename2 or "a file of upgrader's"))
    what, fix = FIXES[exc.errno]
    folder = os.path.dirname(where) or "."
    if written and path is not None:
        return f"cannot write {where}: {what} ({errno.errorcode[exc.errno]}); it is unchanged; {fix.format(folder=folder)}"
    return f"cannot use {where}: {what} ({errno.errorcode[exc.errno]}); {fix.format(folder=folder)}"
