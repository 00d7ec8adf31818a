"""Shared CLI plumbing: consoles, JSON output, and the error boundary."""

from __future__ import annotations

import functools
import json
import sys
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

import typer
from rich.console import Console

from upgrader.errors import UpgraderError


@dataclass
class _State:
    debug: bool = False


state = _State()
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

F = TypeVar("F", bound=Callable[..., Any])


def print_json(data: Any) -> None:
    """Machine output: canonical JSON on stdout, nothing else."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 2) -> None:
    err_console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    raise typer.Exit(code)


def handle_errors(fn: F) -> F:
    """Turn domain errors into one line and the right exit code (traceback with --debug)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UpgraderError as exc:
            if state.debug:
                raise
            fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            err_console.print("[yellow]interrupted[/]")
            raise typer.Exit(130)

    return wrapper  # type: ignore[return-value]
