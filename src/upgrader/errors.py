"""The exception tree. The CLI boundary (``cli.common.output.exit_code_for``) turns each into one
line on stderr, an exit code and, with ``--json``, ``{"error": {"kind", "message"}}``:

    UpgraderError                     exit 2
    ├── InputError                    exit 2, kind "input": the input is wrong; the message says what to do
    │   ├── FileAccessError           the OS refused one of upgrader's own files (EACCES, EPERM, EROFS,
    │   │                             ENOSPC, EDQUOT); names the path and the fix (``upgrader.oserrors``)
    │   └── SetupError                kind "setup": the installation lacks a part (run `make install`)
    ├── UnavailableError              exit 2, kind "unavailable": something outside upgrader did not answer
    │   │                             in time; the input is fine, re-run when it answers
    │   ├── NodeUnavailable           no RPC endpoint answered (down, unreachable, or lost mid-command)
    │   └── safe_service.ServiceUnavailable   the Safe service kept failing (5xx, 429, timeouts)
    ├── NodeError                     exit 2, kind "node": the node answered, with a JSON-RPC error to a request
    │                                 that must work (a method it lacks, e.g. debug_traceTransaction): use
    │                                 another node; retrying the same one will not help
    ├── safe_service.ServiceError     the Safe service's, by whose fault (Rejected/BadResponse/Unsupported
    │                                 are InputErrors; ServiceUnavailable is an UnavailableError)
    └── UnsafeError                   exit 1, kind "unsafe": the subject is unsafe or failed (bad layout,
        │                             failed simulation, red review warning); may carry a ``report``
        └── TransactionFailed         a transaction reverted, or the Safe's execution failed inside it

Exit 2 thus means "nothing was judged": fix the input, the setup or the node, or re-run once the
service answers (``--json``'s kind tells which); exit 1 means the subject was judged and failed.
No bare ``RuntimeError`` leaves an engine.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FileAccessError", "InputError", "NodeError", "NodeUnavailable", "SetupError", "TransactionFailed",
           "UnavailableError", "UnsafeError", "UpgraderError"]


class UpgraderError(Exception):
    exit_code = 2


class InputError(UpgraderError):
    """Bad input: usage, unreadable/invalid file, unknown contract or network, a wrong RPC URL."""

    exit_code = 2


class FileAccessError(InputError):
    """The OS refused a file upgrader writes or locks (EACCES, EPERM, EROFS, ENOSPC, EDQUOT)."""


class SetupError(InputError):
    """A part of the installation is missing (a package, a tool): the message names the install step."""

    kind = "setup"


class UnavailableError(UpgraderError):
    """A service upgrader depends on stayed unavailable; not the user's input (exit 2)."""

    exit_code = 2
    kind = "unavailable"


class NodeUnavailable(UnavailableError):
    """No RPC endpoint answered: unreachable, down, or the connection was lost mid-command."""


class NodeError(UpgraderError):
    """The node answered a request that must work with a JSON-RPC error (a method it does not
    serve, a refused read): neither the input nor an outage; another node is needed."""

    exit_code = 2
    kind = "node"


class UnsafeError(UpgraderError):
    """The subject failed a safety check."""

    exit_code = 1

    def __init__(self, message: str, report: Any = None) -> None:
        super().__init__(message)
        self.report = report


class TransactionFailed(UnsafeError):
    """A transaction reverted, or a Safe transaction failed inside the Safe (ExecutionFailure)."""
