"""The exception tree. The CLI boundary turns these into one line and an exit code.

- ``InputError`` (exit 2): the input is wrong; the message says what to do.
- ``UnsafeError`` (exit 1): the subject is unsafe or failed (bad layout, failed simulation,
  red review warning). Carries an optional ``report`` object for rendering.
"""

from __future__ import annotations

from typing import Any

__all__ = ["UpgraderError", "InputError", "UnsafeError"]


class UpgraderError(Exception):
    exit_code = 2


class InputError(UpgraderError):
    """Bad input: usage, unreadable/invalid file, unknown contract or network, unreachable RPC."""

    exit_code = 2


class UnsafeError(UpgraderError):
    """The subject failed a safety check."""

    exit_code = 1

    def __init__(self, message: str, report: Any = None) -> None:
        super().__init__(message)
        self.report = report
