"""Usage errors as one line: ``error: --nonce: not a number; see `upgrader review --help```.

click (under typer) prints a usage error as a five-line box with the whole usage text. The
team's contract is one line and exit 2 for every bad input, usage included, so the root
command group catches click's ``UsageError`` family (bad, missing or unknown options and
arguments, unknown commands) and says which option is wrong and where the help is."""

from __future__ import annotations

import sys
from typing import Any

# typer 0.28 carries its own copy of click (typer._click); its exceptions are the ones raised
from typer._click import core, exceptions, types
from typer.core import TyperGroup, TyperOption
from typer.exceptions import Abort

from upgrader.cli.common.output import error_line, json_error


def _name(param: core.Parameter | None) -> str:
    if param is None:
        return ""
    if isinstance(param, TyperOption) and param.opts:
        return max(param.opts, key=len)
    return (param.human_readable_name or param.name or "").upper()


def _range(kind: Any) -> str:
    """click's range as words: "at least 0", "from 1 to 500"."""
    low, high = kind.min, kind.max
    if low is not None and high is not None:
        return f"give one from {low} to {high}"
    return f"give one of at least {low}" if low is not None else f"give one of at most {high}"


def usage_message(exc: exceptions.UsageError) -> str:
    """The one line for a usage error (without the ``error:`` prefix)."""
    names, ctx = [], exc.ctx
    while ctx is not None and ctx.parent is not None:  # the root's name is however it was started
        names.insert(0, ctx.info_name or "")
        ctx = ctx.parent
    where = " ".join(["upgrader", *names])
    if isinstance(exc, exceptions.MissingParameter):
        what = f"{_name(exc.param)}: missing" if exc.param is not None else exc.format_message()
    elif isinstance(exc, exceptions.BadParameter) and exc.param is not None:
        # click says "'abc' is not a valid integer range." for a non-number given to a range
        # type and "5 is not in the range x>=0." for a number outside it
        if isinstance(exc.param.type, (types.IntRange, types.FloatRange)) and "not in the range" in exc.message:
            reason = f"{exc.message.split(' is not')[0]} is out of range, {_range(exc.param.type)}"
        elif isinstance(exc.param.type, (types.IntParamType, types.FloatParamType)):
            reason = "not a number"
        else:
            reason = exc.message.rstrip(".")
        what = f"{_name(exc.param)}: {reason}"
    else:
        what = exc.format_message().rstrip(".")
        what = what[:1].lower() + what[1:]
    what = " ".join(what.split())  # click's "did you mean" suggestions span lines
    return f"{what}; see `{where} --help`"


class OneLineUsageGroup(TyperGroup):
    """The root group: click's own handling, except that usage errors are one line."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            rv = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                              standalone_mode=False, **extra)
        except exceptions.NoArgsIsHelpError as exc:  # bare `upgrader`: the help, as typer shows it
            from typer import rich_utils

            rich_utils.rich_format_error(exc)
            rv = exc.exit_code
        except exceptions.UsageError as exc:
            message = usage_message(exc)
            if "--json" in (sys.argv[1:] if args is None else list(args)):
                json_error(exc, message)  # the machine form too (cli.output), kind "input"
            error_line(message)
            rv = exc.exit_code
        except exceptions.ClickException as exc:
            error_line(" ".join(exc.format_message().split()))
            rv = exc.exit_code
        except Abort:
            sys.stderr.write("aborted\n")
            rv = 1
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)
