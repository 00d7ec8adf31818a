"""Options every command shares, declared once (issue 18): a command takes ``json_out: JsonOption
= False``, and the error boundary (``output.handle_errors``) finds it under that one name to put a
failure on stdout as ``{"error": {"kind", "message"}}`` too."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["JSON_PARAMETER", "JsonOption"]

JSON_PARAMETER = "json_out"  # the parameter name of --json in every command
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout (nothing else there).")]
