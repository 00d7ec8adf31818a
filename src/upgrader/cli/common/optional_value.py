"""Options whose value may be left out: ``--validation-file`` alone means "the default place",
``--validation-file PATH`` a path. typer 0.28 parses options itself and has no such option
(its ``flag_value`` is deprecated and ignored), so the command rewrites its arguments first:
an optional-value option at the end, or followed by another option, becomes ``OPTION=``, and
the command sees the empty string."""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand


def optional_value_command(*options: str) -> type[TyperCommand]:
    """A typer command class for which each of ``options`` may come without its value."""

    class Command(TyperCommand):
        def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
            fixed = []
            for i, arg in enumerate(args):
                bare = arg in options and (i + 1 == len(args) or args[i + 1].startswith("-"))
                fixed.append(f"{arg}=" if bare else arg)
            return super().parse_args(ctx, fixed)

    return Command
