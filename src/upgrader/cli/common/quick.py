"""The quick lane: plain invocations of ``upgrader check`` run without importing typer.

``check`` is the command CI runs on every push and the one that must beat OpenZeppelin's
validator as a whole process; importing typer (and the click it carries) costs ~80 ms, more
than the check itself. So ``parse`` recognises only the plainest form of the command, the
option names and value forms exactly as click reads them (``--opt value``, ``--opt=value``,
flags, ``--debug`` before the command); anything else (``--help``, a repeated, unknown or
value-less option, another command) returns None and the typer app handles it, so help and
usage errors have one source. ``tests/checker/test_cli_quick.py`` holds the lane to typer's parse.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# command -> (options with a value, flags), parameter names as in the typer command;
# OpenZeppelin's camelCase spellings are aliases there and here
COMMANDS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "check": (
        {
            "--build-info": "build_info",
            "--contract": "contract",
            "--reference": "reference",
            "--unsafe-allow": "unsafe_allow",
            "--unsafeAllow": "unsafe_allow",
            "--exclude": "exclude",
            "--reference-build-info": "reference_build_info",
            "--referenceBuildInfoDirs": "reference_build_info",
            "--format": "output_format",
        },
        {
            "--json": "json_out",
            "--require-reference": "require_reference",
            "--requireReference": "require_reference",
            "--unsafe-allow-renames": "unsafe_allow_renames",
            "--unsafeAllowRenames": "unsafe_allow_renames",
            "--unsafe-skip-storage-check": "unsafe_skip_storage_check",
            "--unsafeSkipStorageCheck": "unsafe_skip_storage_check",
        },
    ),
}
GLOBAL_FLAGS = {"--debug": "debug"}
PATH_PARAMETERS = {"build_info"}
LIST_PARAMETERS = {"exclude", "reference_build_info"}  # repeatable: every value, in order


def parse(argv: Sequence[str]) -> tuple[str, dict[str, Any], bool] | None:
    """``(command, parameters, debug)`` for a plain quick-lane invocation, else None."""
    args = list(argv)
    debug = False
    while args and args[0] in GLOBAL_FLAGS:
        debug = True
        args.pop(0)
    if not args or args[0] not in COMMANDS:
        return None
    command, rest = args[0], args[1:]
    options, flags = COMMANDS[command]
    params: dict[str, Any] = {}
    while rest:
        token = rest.pop(0)
        if token in flags:
            params[flags[token]] = True
            continue
        name, has_value, value = token.partition("=")
        if name not in options or (options[name] in params and options[name] not in LIST_PARAMETERS):
            return None  # unknown, misspelt, a flag given a value, or repeated: typer says what is wrong
        if not has_value:
            if not rest or rest[0].startswith("-"):
                return None  # no value, or one that looks like an option: leave the verdict to click
            value = rest.pop(0)
        parameter = options[name]
        if parameter in LIST_PARAMETERS:
            params.setdefault(parameter, []).append(value)
        else:
            params[parameter] = Path(value) if parameter in PATH_PARAMETERS else value
    return command, params, debug


def run(command: str, params: dict[str, Any], debug: bool) -> int:
    from upgrader.cli.common.output import exit_code_for, state

    # One short process building one large, acyclic tree (the build-info): the cyclic
    # collector would only walk that growing tree again and again while it is parsed.
    gc.disable()
    state.debug = debug
    try:
        if command == "check":
            from upgrader.check.run import run_check

            return run_check(**params)
        raise AssertionError(f"no quick runner for {command}")
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - exit_code_for re-raises what it does not own
        return exit_code_for(exc, params.get("json_out") is True)


def exit_now(code: int) -> None:
    """Flush and leave without tearing the interpreter down: freeing a parsed build-info
    object by object takes ~25 ms, a fifth of the whole command. Nothing in the quick lane
    leaves files open or registers exit handlers."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = 141
    os._exit(code)
