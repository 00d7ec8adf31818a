"""`upgrader review`: check a Safe batch before signing it (exit 1 on any red warning)."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer
from rich.markup import escape
from rich.table import Table

from upgrader.cli.common.options import JsonOption, NetworkOption
from upgrader.cli.main import app
from upgrader.cli.common.optional_value import optional_value_command
from upgrader.cli.common.output import console, handle_errors, print_json
from upgrader.errors import InputError

SHOWN = 20  # calls, and warnings of each kind, shown without --all


@app.command(cls=optional_value_command("--validation-file"))
@handle_errors
def review(
    target: Annotated[str, typer.Argument(help="Transaction Builder batch file, raw SafeTx JSON, or a safeTxHash under deployments/<network>/proposals/.")],
    plan: Annotated[Optional[str], typer.Option("--plan", help="Plan file or plan hash the batch must equal.")] = None,
    network: NetworkOption = "local",
    nonce: Annotated[Optional[int], typer.Option("--nonce", min=0, help="Safe nonce, when the file does not state one.")] = None,
    safe_version: Annotated[Optional[str], typer.Option("--safe-version", help="Safe version (default: the manifest's, else 1.4.1).")] = None,
    multisend: Annotated[Optional[str], typer.Option("--multisend", help="MultiSendCallOnly a multi-call batch file is sent through.")] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Never contact the network (implementation code is then not verified).")] = False,
    tx_service: Annotated[Optional[str], typer.Option("--tx-service", help="Safe Transaction Service URL: fetch SAFE_TX_HASH from it and check its queue for nonce conflicts.")] = None,
    simulate: Annotated[bool, typer.Option("--simulate", help="Execute it through the real Safe on an Anvil fork and show every change.")] = False,
    fork_url: Annotated[Optional[str], typer.Option("--fork-url", help="RPC to fork for --simulate (default: the network's).")] = None,
    block: Annotated[Optional[int], typer.Option("--block", min=0, help="Block to fork at for --simulate (default: latest).")] = None,
    json_out: JsonOption = False,
    show_all: Annotated[bool, typer.Option("--all", help=f"List every call and warning (default: a summary and the first {SHOWN})." )] = False,
    validation_file: Annotated[Optional[str], typer.Option("--validation-file", metavar="[PATH]", help=(
        "Simulate, then write the signer's validation document (alone: proposals/<safeTxHash>.validation.md) and print its keccak256."))] = None,
) -> None:
    """Recompute the hashes, decode every call and raise red warnings a signer must not ignore."""
    from upgrader.stages.review.session import review_session

    if validation_file is not None and offline:
        raise InputError("--validation-file runs the transaction on a fork of the network; drop --offline (or use --fork-url)")
    report = review_session(target, network, plan=plan, nonce=nonce, safe_version=safe_version, multisend=multisend,
                            offline=offline, tx_service=tx_service, simulate=simulate or validation_file is not None,
                            fork_url=fork_url, block=block)
    ctx = report.context  # what the review knew, the batch's plan included
    doc = None
    if validation_file is not None:
        from upgrader.stages.review.validation_doc import from_review

        doc = from_review(report, ctx, validation_file, dict(target=target, network=network, plan=plan, nonce=nonce,
                                                             safe_version=safe_version, multisend=multisend, fork_url=fork_url))
    if json_out:
        print_json({**report.to_json(), **({"validation_file": doc} if doc else {})})
    else:
        render(report, show_all)
        if doc:
            console.print(f"validation document {escape(doc['path'])}: keccak256 {doc['keccak256']}, {doc['undecoded_slots']} undecoded slot(s)", soft_wrap=True)
    if not report.ok:
        raise typer.Exit(1)


def _summary(nodes: list[Any]) -> str:
    delegate = sum(1 for n in nodes if n.call.operation)
    unknown = sum(1 for n in nodes if not n.to_name)
    value = sum(n.call.value for n in nodes if not n.is_batch)
    parts = [f"{len(nodes)} in total (the Safe transaction and every call inside it)"]
    parts.append(f"[bold red]{delegate} DELEGATECALL[/]" if delegate else "no DELEGATECALL")
    parts.append(f"{unknown} to unknown addresses" if unknown else "every target known")
    parts.append(f"{value} wei sent" if value else "no value sent")
    return ", ".join(parts)


def _plain_lines(lines: Any) -> None:
    import sys

    console.file.flush()
    sys.stdout.write("".join(line + "\n" for line in lines))
    sys.stdout.flush()


def _render_warnings(warnings: list[Any], show_all: bool) -> None:
    """Every warning, or the first SHOWN of each kind and a count of the rest."""
    seen: dict[str, int] = {}
    hidden: dict[str, int] = {}
    shown = []
    for w in warnings:
        seen[w.kind] = seen.get(w.kind, 0) + 1
        if not show_all and seen[w.kind] > SHOWN:
            hidden[w.kind] = hidden.get(w.kind, 0) + 1
        else:
            shown.append(w)
    if len(shown) > 10 * SHOWN:  # --all on a huge batch: plain lines, as for the calls
        _plain_lines(f"{w.severity.upper()} {w.kind}: {w.message}" for w in shown)
    for w in shown if len(shown) <= 10 * SHOWN else ():
        style = "bold red" if w.severity == "red" else "yellow"
        console.print(f"[{style}]{w.severity.upper()} {w.kind}[/]: {escape(w.message)}", soft_wrap=True)
    for kind, count in hidden.items():
        console.print(f"[yellow]… {count} more {kind} warnings not shown[/] (`--all` or `--json` lists them)")


def render(report: Any, show_all: bool = False) -> None:
    from upgrader.safe.hashreport import as_shown_on_device

    s, h, tx = report.subject, report.hashes, report.tx
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True, min_width=12)
    grid.add_column(overflow="fold")
    console.print(f"[dim]{'Input':<14}[/]{escape(s.source)} ({s.kind})", soft_wrap=True)  # a path: never folded
    grid.add_row("Safe", f"{s.safe} (v{report.safe_version}) on chain {s.chain_id}")
    grid.add_row("Nonce", str(s.nonce) if s.nonce is not None else "[yellow]not stated (use --nonce)[/]")
    grid.add_row("To", f"{tx.to} ({escape(report.root.to_name or 'unknown')})")
    grid.add_row("Operation", "[bold red]1 (DELEGATECALL)[/]" if tx.operation else "0 (CALL)")
    if s.checksum is not None:
        c = s.checksum
        mark = "[green]valid[/]" if c["valid"] else ("[red]INVALID[/]" if c["present"] else "[yellow]absent[/]")
        grid.add_row("Checksum", mark)
    console.print(grid)
    if h:
        console.print("\n[bold]As your hardware wallet shows them[/]")
        hashes = Table.grid(padding=(0, 2))
        hashes.add_column(style="dim", no_wrap=True, min_width=12)
        hashes.add_column(overflow="fold")
        hashes.add_row("Domain hash", as_shown_on_device(h["domain_hash"]))
        hashes.add_row("Message hash", as_shown_on_device(h["message_hash"]))
        hashes.add_row("safeTxHash", h["safe_tx_hash"])
        console.print(hashes)
    from upgrader.cli.common.tables import Col, print_table

    nodes = report.root.walk()
    shown = nodes if show_all else nodes[:SHOWN]
    console.print(f"\n[bold]Calls[/]: {_summary(nodes)}")
    if len(shown) <= SHOWN:
        rows = [[node.path, "[bold red]DELEGATECALL[/]" if node.call.operation else "CALL",
                 f"{node.call.to}\n{escape(node.to_name or 'UNKNOWN')}",
                 escape(node.summary()) + (f"\nvalue {node.call.value}" if node.call.value else "")] for node in shown]
        print_table(None, [Col("#"), Col("op"), Col("to"), Col("call")], rows)
    else:  # thousands of rows: one plain line each (a rich table of 40,000 rows takes minutes)
        _plain_lines(f"{n.path}  {'DELEGATECALL' if n.call.operation else 'CALL'}  {n.call.to} ({n.to_name or 'UNKNOWN'})  "
                     f"{n.summary()}" + (f"  value {n.call.value}" if n.call.value else "") for n in shown)
    if len(nodes) > len(shown):
        console.print(f"[yellow]… {len(nodes) - len(shown)} more calls not shown[/]: `--all` lists every call, `--json` gives them all")
    if report.plan is not None:
        _render_plan(report.plan)
    if getattr(report, "signing", None):
        from upgrader.stages.sign.owners import signing_markdown

        console.print(escape(signing_markdown(report.signing).strip()), soft_wrap=True)
    if report.simulation is not None:
        from upgrader.stages.review.simulate.render import simulation_lines

        for text in simulation_lines(report.simulation):
            console.print(text, soft_wrap=True)
    _render_warnings(report.warnings, show_all)
    if report.ok and (report.plan or {}).get("executed"):
        console.print("[bold green]no red warnings[/]: executed already, nothing left to sign")
    elif report.ok:
        console.print("[bold green]no red warnings[/]: compare the hashes above with your wallet before signing")
    else:
        console.print(f"[bold red]DO NOT SIGN[/]: {len(report.red)} red warning(s)")


def _render_plan(plan: dict[str, Any]) -> None:
    mark = "[green]matches[/]" if plan["matches"] else "[bold red]DIFFERS from[/]"
    console.print(f"\nbatch {mark} plan {plan['plan_hash']}")
    for u in plan["upgrades"]:
        ok = "[green]ok[/]" if u["check"]["ok"] else "[red]rejected[/]"
        console.print(f"  {u['proxy']}: {u['from'].rsplit(':', 1)[-1]} → {u['to'].rsplit(':', 1)[-1]} @ {u['implementation']} (checker {ok})")
    sim = plan["simulation"]
    if sim is None:
        console.print("  simulation: [bold red]missing[/]")
    else:
        console.print(f"  simulation: {'[green]passed[/]' if sim['ok'] else '[bold red]FAILED[/]'} ({len(sim['checks'])} checks)")
