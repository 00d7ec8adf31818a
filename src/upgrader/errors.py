"""The exception tree. The CLI boundary turns these into one line and an exit code.

- ``InputError`` (exit 2): the input is wrong; the message says what to do.
- ``UnsafeError`` (exit 1): the subject is unsafe or failed (bad layout, failed simulation,
  red review warning). Carries an optional ``report`` object for rendering.
- ``FileAccessError`` (an ``InputError``): the operating system refused
  one of upgrader's own files (permission, immutable, read-only, full disk, quota); the message
  names the path and the fix (``upgrader.oserrors``). Nothing half-written is left.
- ``UnavailableError`` (exit 2, ``--json`` kind ``unavailable``): something outside upgrader did
  not answer in time (a Safe service outage, 5xx past the retries): the input is fine, re-run
  when it answers.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FileAccessError", "UpgraderError", "InputError", "UnavailableError", "UnsafeError"]


class UpgraderError(Exception):
    exit_code = 2


class InputError(UpgraderError):
    """Bad input: usage, unreadable/invalid file, unknown contract or network, unreachable RPC."""

    exit_code = 2


class FileAccessError(InputError):
    """The OS refused a file upgrader writes or locks (EACCES, EPERM, EROFS, ENOSPC, EDQUOT)."""


class UnavailableError(UpgraderError):
    """A service upgrader depends on stayed unavailable; not the user's input (exit 2)."""

    exit_code = 2
    kind = "unavailable"


class UnsafeError(UpgraderError):
    """The subject failed a safety check."""

    exit_code = 1

    def __init__(self, message: str, report: Any = None) -> None:
        super().__init__(message)
        self.report = report
