"""The ``upgrader`` executable: the quick lane (``cli.quick``) when it recognises the
invocation, otherwise the typer app (``cli.main``)."""

from __future__ import annotations

import sys


def run() -> None:
    import os

    from upgrader.cli.common import output, quick

    output.follow_colour_conventions(os.environ)

    plain = quick.parse(sys.argv[1:])
    if plain is not None:
        quick.exit_now(quick.run(*plain))
    from upgrader.cli.main import app

    app()
