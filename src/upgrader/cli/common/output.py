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
from typing import TYPE_CHECKING, Any, Callable, MutableMapping, TypeVar

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
    """``console`` and ``err_console``, made on first use (``from ... import console`` too)."""
    if name not in ("console", "err_console"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _console(name)


# FORCE_COLOR values that turn colour off (Node's supports-color: 0 and false; https://force-color.org
# itself forces for any non-empty value, which rich and typer follow, so FORCE_COLOR=0 meant colour)
COLOUR_OFF = ("0", "false")


def follow_colour_conventions(environ: MutableMapping[str, str]) -> None:
    """Read ``FORCE_COLOR=0``/``false`` as the Node ecosystem means it, colour off: it becomes
    ``NO_COLOR=1`` (https://no-color.org), which rich, typer and the tools we start all read as
    no colour. Called once by the executable, before anything prints."""
    if environ.get("FORCE_COLOR", "").strip().lower() in COLOUR_OFF and "FORCE_COLOR" in environ:
        del environ["FORCE_COLOR"]
        environ["NO_COLOR"] = "1"


def styled(stream: Any) -> bool:
    """May ``stream`` get ANSI codes? Not with ``NO_COLOR`` set (no-color.org) nor into a pipe or
    a file; with a non-empty ``FORCE_COLOR`` other than 0/false, yes (force-color.org)."""
    import os

    if os.environ.get("NO_COLOR", ""):
        return False
    forced = os.environ.get("FORCE_COLOR", "").strip().lower()
    if forced and forced not in COLOUR_OFF:
        return True
    if forced:
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed file
        return False


def _console(name: str) -> Console:
    made = globals().get(name)
    if made is None:
        from rich.console import Console

        stream = sys.stderr if name == "err_console" else sys.stdout
        colour = styled(stream)
        # no colour system at all: rich then writes no ANSI code (bold and dim included)
        made = globals()[name] = Console(stderr=name == "err_console", highlight=False, force_terminal=colour or None,
                                         color_system="auto" if colour else None)
    return made


def print_json(data: Any) -> None:
    """Machine output: canonical JSON on stdout, nothing else."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
    sys.stdout.flush()


def line(text: str, style: str = "") -> None:
    """One line of human output: styled by rich on a terminal, plain text (never wrapped)
    into a pipe or a log."""
    if styled(sys.stdout):
        from rich.text import Text

        _console("console").print(Text(text, style=style), soft_wrap=True)
    else:
        sys.stdout.write(text + "\n")


def error_line(message: str) -> None:
    """``error: <message>`` on stderr, the one line a failed command prints."""
    if styled(sys.stderr):
        from rich.markup import escape

        _console("err_console").print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    else:
        sys.stderr.write(f"error: {message}\n")
        sys.stderr.flush()


# The parameter name under which every command takes --json (cli.common.options.JsonOption).
JSON_PARAMETER = "json_out"


def error_kind(exc: BaseException) -> str:
    """The ``kind`` of ``{"error": {"kind", "message"}}``: the exception's own ``kind`` when it
    names one, else by class (``unsafe`` exit 1, ``input`` exit 2, ``interrupted`` 130)."""
    own = getattr(exc, "kind", None)
    if isinstance(own, str):
        return own
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return "unsafe" if getattr(exc, "exit_code", 2) == 1 else "input"  # InputError, and UpgraderError itself


def json_error(exc: BaseException, message: str | None = None) -> None:
    """The machine form of a failure on stdout: ``{"error": {"kind": ..., "message": ...}}``."""
    print_json({"error": {"kind": error_kind(exc), "message": message if message is not None else str(exc)}})


def exit_code_for(exc: BaseException, json_out: bool = False) -> int:
    """Report a domain error, an interrupt, a lost connection or a refused file of ours and return
    its exit code (with ``json_out`` also as JSON on stdout); anything else propagates with its
    traceback. ``--debug`` prints the traceback first and changes nothing else."""
    message = one_line(exc) if isinstance(exc, Exception) and not isinstance(exc, UpgraderError) else None
    if state.debug and (isinstance(exc, (UpgraderError, KeyboardInterrupt)) or message is not None):
        import traceback  # --debug adds the traceback; the line and the exit code stay what they are

        traceback.print_exception(exc)
    if isinstance(exc, UpgraderError):
        if json_out:
            json_error(exc)
        error_line(str(exc))
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        said = str(exc) or "interrupted"  # an interrupt that knows what is left says it (execute)
        if json_out:
            json_error(exc, said)
        sys.stderr.write(said + "\n")
        return 130
    if isinstance(exc, BrokenPipeError):  # the reader (head, less) went away: stop quietly
        stdout_gone()
        return 141
    if message is not None:
        if json_out:
            json_error(as_domain_error(exc, message))
        error_line(message)
        return 2
    raise exc


def one_line(exc: Exception) -> str | None:
    """The one line for a failure that is not a domain error but still the user's to fix: a
    dropped or refused connection (naming the endpoint), or a command of the chain stack in a lean
    install (naming the extra to install)."""
    from upgrader.chain.transport import describe
    from upgrader.cli.common.extras import missing_extra
    from upgrader import oserrors

    return describe(exc) or missing_extra(exc) or oserrors.describe(exc, written=False)


def as_domain_error(exc: Exception, message: str) -> UpgraderError:
    """``one_line``'s failure as the class of the tree it is (``upgrader.errors``), for its
    ``--json`` kind: a lost connection is an outage (``unavailable``), a missing extra is the
    setup's, a refused file of ours is the input's."""
    from upgrader.chain.transport import describe
    from upgrader.cli.common.extras import missing_extra
    from upgrader.errors import InputError, NodeUnavailable, SetupError

    if describe(exc) is not None:
        return NodeUnavailable(message)
    if missing_extra(exc) is not None:
        return SetupError(message)
    return InputError(message)


def stdout_gone() -> None:
    """Point stdout at /dev/null so the final flush cannot fail again."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


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
        except (UpgraderError, KeyboardInterrupt, BrokenPipeError) as exc:
            code = exit_code_for(exc, kwargs.get(JSON_PARAMETER) is True)
            import typer

            raise typer.Exit(code) from None
        except Exception as exc:
            if one_line(exc) is None:
                raise
            code = exit_code_for(exc, kwargs.get(JSON_PARAMETER) is True)
            import typer

            raise typer.Exit(code) from None

    return wrapper  # type: ignore[return-value]
