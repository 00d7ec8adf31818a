"""Adopting an existing deployment: `upgrader import` (the manifest from the chain and the
build), `upgrader safe create` (a Safe for it), `upgrader handover` (every upgrade right to that
Safe) and `upgrader solc path` (the compiler upgrader uses, for forge's FOUNDRY_SOLC)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from upgrader.cli.common.options import JsonOption, NetworkOption, SenderOption
from upgrader.cli.main import app
from upgrader.cli.common.output import console, err_console, handle_errors, print_json


@app.command("import")
@handle_errors
def import_(
    network: NetworkOption = "local",
    proxy: Annotated[Optional[list[str]], typer.Option("--proxy", help="Name=0xADDRESS of a proxy (repeatable).")] = None,
    from_openzeppelin: Annotated[Optional[Path], typer.Option("--from-openzeppelin", help="OpenZeppelin Upgrades manifest, .openzeppelin/<network>.json.")] = None,
    from_forge_broadcast: Annotated[Optional[Path], typer.Option("--from-forge-broadcast", help="broadcast/<script>/<chainId>/run-latest.json.")] = None,
    layout_from: Annotated[Optional[str], typer.Option("--layout-from", help="git:<rev>: also match deployed code in the build of that revision.")] = None,
    safe: Annotated[Optional[str], typer.Option("--safe", help="The Safe that proposes upgrades (default: the Safe that owns the proxies).")] = None,
    multisend: Annotated[Optional[str], typer.Option("--multisend", help="The Safe's MultiSendCallOnly, when not at its canonical address.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing manifest.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Record an existing deployment: per proxy its kind, implementation, build contract, layout and governance."""
    from upgrader.adopt.importer import ImportRequest, run_import
    from upgrader.stages.context import open_network

    request = ImportRequest(proxies=proxy or [], openzeppelin=from_openzeppelin, forge_broadcast=from_forge_broadcast,
                            layout_from=layout_from, safe=safe, multisend=multisend, force=force)
    result = run_import(open_network(network), request)
    if json_out:
        print_json(result.to_json())
        return
    from upgrader.cli.common.tables import Col, print_table

    data = result.to_json()
    columns = [Col("proxy"), Col("kind"), Col("address", whole=True), Col("implementation", whole=True), Col("contract"),
               Col("governed by")]
    rows = [[p["name"], p["kind"], p["address"], p["implementation"], escape(p["contract"]),
             _governed(p, data["safe"])] for p in data["proxies"]]
    print_table(f"{data['network']} (chain {data['chain_id']}) · Safe {data['safe']}", columns, rows)
    if result.manifest.governance is not None:
        from upgrader.governance import chain_of

        console.print("chain of authority: " + " → ".join(chain_of(result.manifest).describe(result.manifest)), soft_wrap=True)
    for note in result.notes:
        console.print(f"[yellow]note[/]: {escape(note)}", soft_wrap=True)
    console.print(escape(f"manifest written to {result.path}"), soft_wrap=True)


def _governed(p: dict, safe: str) -> str:  # type: ignore[type-arg]
    if not p["governed_by_safe"]:
        return f"[yellow]{p['governor']}[/]"
    return "the Safe" if p["governor"] in (None, safe) else f"the Safe via {p['governor']}"


safe_app = typer.Typer(help="Safes for a deployment: `safe create` makes one.", no_args_is_help=True)
app.add_typer(safe_app, name="safe")
solc_app = typer.Typer(help="The solc upgrader compiles with (for forge: FOUNDRY_SOLC).", no_args_is_help=True)
app.add_typer(solc_app, name="solc")



def _sender_resolver(chain_id: int):  # type: ignore[no-untyped-def]
    def resolve(alias: str):  # type: ignore[no-untyped-def]
        from upgrader.stages.sign.signer import resolve_signer

        return resolve_signer(alias, chain_id, [])

    return resolve


@safe_app.command("create")
@handle_errors
def safe_create(
    owners: Annotated[str, typer.Option("--owners", help="Comma-separated owner addresses.")],
    threshold: Annotated[int, typer.Option("--threshold", min=1, help="Signatures needed (1..number of owners).")],
    network: NetworkOption = "local",
    sender: SenderOption = None,
    salt_nonce: Annotated[int, typer.Option("--salt-nonce", help="Another Safe of the same owners and threshold.", min=0)] = 0,
    json_out: JsonOption = False,
) -> None:
    """Create a Safe 1.4.1 (the canonical deployments when the chain has them, else deploys them); idempotent."""
    from upgrader.deploy.safe import make_safe
    from upgrader.deploy.sender import open_sender
    from upgrader.stages.context import open_network

    ctx = open_network(network)
    made = make_safe(ctx.w3, lambda: open_sender(ctx.w3, sender, resolve_alias=_sender_resolver(ctx.chain_id)),
                     [o.strip() for o in owners.split(",") if o.strip()], threshold, salt_nonce)
    if json_out:
        return print_json(made.to_json())
    how = "created" if made.created else "already there"
    infra = "Safe's canonical deployments" if made.canonical else "contracts deployed as on a fresh chain (CREATE2, zero salt)"
    console.print(escape(f"Safe {made.version} {how} at {made.address}: {made.threshold} of {len(made.owners)} owners "
                         f"({', '.join(made.owners)})"), soft_wrap=True)
    console.print(escape(f"singleton {made.singleton}, factory {made.proxy_factory}, MultiSendCallOnly "
                         f"{made.multisend_call_only}: {infra}"), soft_wrap=True)


@app.command("handover")
@handle_errors
def handover(
    network: NetworkOption = "local",
    sender: SenderOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Send every transfer without asking.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Transfer the owner of every recorded proxy (UUPS proxy, ProxyAdmin, beacon) to the manifest's Safe; idempotent."""
    from upgrader.deploy.handover import hand_over, with_governors
    from upgrader.deploy.sender import open_sender
    from upgrader.errors import InputError
    from upgrader.stages.context import open_network

    ctx = open_network(network)
    manifest = ctx.manifest()
    resolve = _sender_resolver(ctx.chain_id)

    def confirm(transfer) -> bool:  # type: ignore[no-untyped-def]
        err_console.print(escape(f"handover: {transfer.describe()}"), soft_wrap=True)
        if yes:
            return True
        try:
            return typer.confirm("send it?", default=False, err=True)
        except typer.Abort:  # no answer: stdin closed (no terminal)
            raise InputError("handover asks before each transfer: answer y on a terminal, or pass --yes") from None

    if not yes and not _can_answer():
        raise InputError("handover asks before each transfer: answer y on a terminal (or pipe the answers in), or pass --yes")
    result = hand_over(ctx.w3, manifest, lambda owner: open_sender(ctx.w3, sender, owner, resolve), confirm)
    with ctx.store.locked():
        ctx.store.save(with_governors(ctx.w3, ctx.manifest()))
    if json_out:
        return print_json(result.to_json())
    for transfer, tx in result.sent:
        console.print(escape(f"handed over {', '.join(transfer.proxies)}: {transfer.role} {transfer.contract} now owned by "
                             f"the Safe (tx {tx})"), soft_wrap=True)
    if result.already:
        console.print(escape(f"already governed by the Safe {result.safe}: {', '.join(result.already)}"), soft_wrap=True)
    for why in result.skipped:
        console.print(escape(f"note: {why}"), soft_wrap=True)


def _can_answer() -> bool:
    """A terminal, or answers piped in (a FIFO or a file); not /dev/null or a closed stdin."""
    import os
    import stat
    import sys

    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError):
        return False
    return sys.stdin.isatty() or stat.S_ISFIFO(mode) or stat.S_ISREG(mode)


@solc_app.command("path")
@handle_errors
def solc_path(
    version: Annotated[str, typer.Argument(help="A solc 0.8.x release, e.g. 0.8.21.")],
    json_out: JsonOption = False,
) -> None:
    """Print the solc executable upgrader compiles with (installed from npm on first use): FOUNDRY_SOLC=$(upgrader solc path 0.8.21)."""
    import sys

    from upgrader.build.solc import solc_path as find

    path = find(version)  # a version that is not a 0.8.x release: one line, exit 2
    if json_out:
        return print_json({"version": version, "path": str(path)})
    sys.stdout.write(f"{path}\n")
