"""Issue 18: `--json` is declared once (``cli.common.options.JsonOption``) and every command takes
it under the one parameter name the error boundary looks for, so a failure of any command under
--json is JSON on stdout too."""

from __future__ import annotations

from typing import Any

import click
import typer


def _commands(group: Any, prefix: str = "") -> dict[str, Any]:
    out = {}
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if hasattr(command, "list_commands"):  # a group (typer may bring its own click classes)
            out.update(_commands(command, f"{prefix}{name} "))
        else:
            out[prefix + name] = command
    return out


def test_every_json_option_is_the_shared_one():
    from upgrader.cli.common.options import JSON_PARAMETER
    from upgrader.cli.common.output import JSON_PARAMETER as BOUNDARY
    from upgrader.cli.main import app  # importing it registers every command

    commands = _commands(typer.main.get_command(app))
    assert {"layout show", "safe create", "node status", "delegate add"} <= set(commands), sorted(commands)
    with_json = {name: [p for p in c.params if "--json" in getattr(p, "opts", [])] for name, c in commands.items()}
    assert JSON_PARAMETER == BOUNDARY
    for name, params in with_json.items():
        assert len(params) == 1, f"`upgrader {name}` has no --json"
        (param,) = params
        assert param.name == JSON_PARAMETER, f"`upgrader {name}` takes --json as {param.name!r}"
        assert param.help == "Machine-readable output on stdout (nothing else there).", name
