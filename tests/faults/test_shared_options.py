"""Issue 18: `--json` is declared once (``cli.common.options.JsonOption``) and every command takes
it under the one parameter name the error boundary looks for, so a failure of any command under
--json is JSON on stdout too; `--network` and `--sender` are declared once beside it, and every
command that takes them takes that declaration (not a copy with its own help or default)."""

from __future__ import annotations

import inspect
import typing
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


def _declaration(command: Any, param: click.Parameter) -> Any:
    """The ``typer.Option`` a command's function declares ``param`` with (its ``Annotated`` metadata)."""
    fn = inspect.unwrap(command.callback)  # typer's wrapper, then handle_errors
    hint = typing.get_type_hints(fn, include_extras=True)[param.name]
    infos = [m for m in getattr(hint, "__metadata__", ()) if isinstance(m, typer.models.ParameterInfo)]
    assert len(infos) == 1, f"{fn.__qualname__}: {param.name} is not declared through Annotated[..., typer.Option]"
    return infos[0]


def test_every_network_sender_and_json_option_is_the_shared_declaration():
    from upgrader.cli.common import options
    from upgrader.cli.main import app

    shared = {"--network": options.NETWORK, "--sender": options.SENDER, "--json": options.JSON}
    commands = _commands(typer.main.get_command(app))
    taking: dict[str, set[str]] = {opt: set() for opt in shared}
    for name, command in commands.items():
        for param in command.params:
            opts = set(getattr(param, "opts", [])) | set(getattr(param, "secondary_opts", []))
            for opt, declaration in shared.items():
                if opt in opts or (opt == "--network" and "-n" in opts):
                    assert _declaration(command, param) is declaration, \
                        f"`upgrader {name}` declares {opt} itself; use cli.common.options"
                    taking[opt].add(name)
        network = [p for p in command.params if "--network" in getattr(p, "opts", [])]
        assert all(p.default == "local" for p in network), f"`upgrader {name}`: --network's default is not local"
    # the commands that act on a network or sign: if one loses its option, the walk above saw nothing
    assert {"plan", "status", "review", "sync", "watch", "fuzz", "import", "handover", "safe create",
            "confirm", "execute", "delegate add", "delegate list", "node start"} <= taking["--network"], taking["--network"]
    assert {"propose", "confirm", "execute", "delegate add", "delegate remove", "safe create", "handover"} <= taking["--sender"]
    assert taking["--json"] == set(commands)
    required = {name for name, c in commands.items() for p in c.params if p.name == "sender" and p.required}
    assert required == {"confirm", "delegate add", "delegate remove"}  # the others find a sender themselves
