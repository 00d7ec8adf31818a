"""The ``upgrader`` executable: the quick lane (``cli.quick``) when it recognises the
invocation, otherwise the typer app (``cli.main``)."""

from __future__ import annotations

import sys


def run() -> None:
    from upgrader.cli.common import quick

    plain = quick.parse(sys.argv[1:])
    if plain is not None:
        quick.exit_now(quick.run(*plain))
    from upgrader.cli.main import app

    app()
