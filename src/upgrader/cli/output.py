"""Shared CLI plumbing: consoles, JSON output, and the error boundary.

Nothing heavy is imported here: rich loads when something first prints through ``console`` /
``err_console`` (module attributes created on first use) and typer only when a typer command
fails, so the quick lane of ``upgrader check`` (``cli.quick``) can use this module too.
"""

from __future__ import annotations

import functools
import json
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from upgrader.errors import UpgraderError

if TYPE_CHECKING:
    from rich.console import Console

    console: Console
    err_console: Console


@dataclass
class _State:
    debug: bool = False


state = _State()

F = TypeVar("F", bound=Callable[..., Any])


def __getattr__(name: str) -> Any:
    """``console`` and ``err_console``, made on first use."""
    if name not in ("console", "err_console"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from rich.console import Console

    made = Console(stderr=name == "err_console", highlight=False)
    globals()[name] = made
    return made


def print_json(data: Any) -> None:
    """Machine output: canonical JSON on stdout, nothing else."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
    sys.stdout.flush()


def line(text: str, style: str = "") -> None:
    """One line of human output: styled by rich on a terminal, plain text (never wrapped)
    into a pipe or a log."""
    if sys.stdout.isatty():
        from rich.text import Text

        __getattr__("console").print(Text(text, style=style), soft_wrap=True)
    else:
        sys.stdout.write(text + "\n")


def error_line(message: str) -> None:
    """``error: <message>`` on stderr, the one line a failed command prints."""
    if sys.stderr.isatty():
        from rich.markup import escape

        __getattr__("err_console").print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    else:
        sys.stderr.write(f"error: {message}\n")
        sys.stderr.flush()


def exit_code_for(exc: BaseException) -> int:
    """Report a domain error or an interrupt and return its exit code; anything else (and
    everything under ``--debug``) propagates with its traceback."""
    if isinstance(exc, UpgraderError) and not state.debug:
        error_line(str(exc))
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        sys.stderr.write("interrupted\n")
        return 130
    raise exc


def fail(message: str, code: int = 2) -> None:
    import typer

    error_line(message)
    raise typer.Exit(code)


def handle_errors(fn: F) -> F:
    """Turn domain errors into one line and the right exit code (traceback with --debug)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (UpgraderError, KeyboardInterrupt) as exc:
            code = exit_code_for(exc)
            import typer

            raise typer.Exit(code) from None

    return wrapper  # type: ignore[return-value]
