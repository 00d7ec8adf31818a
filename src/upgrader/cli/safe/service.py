"""`upgrader propose`, `confirm`, `execute`: the Safe Transaction Service part of the pipeline."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.markup import escape

from upgrader.cli.common.options import JsonOption, NetworkOption, PlanFileArgument, SenderOption
from upgrader.cli.main import app
from upgrader.cli.common.output import console, err_console, handle_errors, line, print_json

RawHashOpt = Annotated[bool, typer.Option("--raw-hash", help="Sign the bare safeTxHash instead of the EIP-712 typed data "
                                          "(a hardware wallet then cannot show what it signs).")]
AcceptRedOpt = Annotated[Optional[str], typer.Option("--accept-red", metavar="REASON", help="Go ahead although the review "
                          "has red warnings; the reason is recorded in the proposal file and shown to later signers.")]
ServiceOpt = Annotated[Optional[str], typer.Option("--tx-service", help="Safe service URL (default: the network's safe_api url).")]


DEFAULT_DEADLINE_S = 20.0  # the whole command's budget for the Safe service (and for waiting on a concurrent run)
DeadlineOpt = Annotated[float, typer.Option("--deadline", min=0.1, help="Seconds the command may spend on the Safe service in all.")]


def _client(ctx, override: Optional[str], deadline_s: float = DEFAULT_DEADLINE_S):
    """The network's Safe service client, bounded in all to ``deadline_s`` from now."""
    from upgrader.stages.safe_api import open_client

    return open_client(ctx.network, ctx.chain_id, override, deadline_s=deadline_s)


@app.command()
@handle_errors
def propose(
    plan_file: PlanFileArgument,
    sender: SenderOption = None,
    nonce: Annotated[Optional[int], typer.Option("--nonce", min=0, help="Safe nonce to use (default: the next free one).")] = None,
    tx_service: ServiceOpt = None,
    deadline: DeadlineOpt = DEFAULT_DEADLINE_S,
    skip_simulation: Annotated[bool, typer.Option("--skip-simulation", help="Propose without a passing simulation (reported loudly).")] = False,
    raw_hash: RawHashOpt = False,
    accept_red: AcceptRedOpt = None,
    json_out: JsonOption = False,
) -> None:
    """Sign the plan's Safe transaction and post it to the Transaction Service; write the batch file and review."""
    from upgrader.stages.context import open_network
    from upgrader.stages.planfile import load_plan
    from upgrader.stages.propose import propose as run
    from upgrader.stages.sign.signer import resolve_signer

    plan = load_plan(plan_file)
    ctx = open_network(plan["network"])
    if skip_simulation:
        from rich.markup import escape

        from upgrader.stages.propose import skipped_simulation_warning

        err_console.print(f"[bold red]WARNING: {escape(skipped_simulation_warning(ctx, plan))}[/]", soft_wrap=True)
    signer = resolve_signer(sender, ctx.chain_id, plan["safe"]["owners"])
    result = run(ctx, plan, _client(ctx, tx_service, deadline), signer, nonce=nonce, skip_simulation=skip_simulation, raw_hash=raw_hash,
                 accept_red=accept_red)
    if result.review_ok is False:
        err_console.print(f"[bold red]the review of {result.safe_tx_hash} has red warnings: read {result.review_path} before anyone signs[/]", soft_wrap=True)
    if json_out:
        print_json({"ok": True, **result.to_json()})
        return
    verb = "proposed" if result.created else "already proposed (nothing posted)"
    console.print(f"[green]{verb}[/] {result.safe_tx_hash} at nonce {result.nonce} to {result.service_url}", soft_wrap=True)
    console.print(f"  Safe {result.safe}, proposed by {result.proposer or 'unknown'}; {result.simulation_summary}", soft_wrap=True)
    if result.proposed_by:
        console.print(f"  {result.proposed_by}", soft_wrap=True)
    console.print(f"  batch file: {result.proposal_path}\n  review:     {result.review_path}", soft_wrap=True)


@app.command()
@handle_errors
def confirm(
    safe_tx_hash: Annotated[str, typer.Argument(help="The safeTxHash to sign.")],
    sender: SenderOption,
    network: NetworkOption = "local",
    tx_service: ServiceOpt = None,
    deadline: DeadlineOpt = DEFAULT_DEADLINE_S,
    raw_hash: RawHashOpt = False,
    accept_red: AcceptRedOpt = None,
    json_out: JsonOption = False,
) -> None:
    """Add an owner's signature (EIP-712 typed data) to a proposed Safe transaction."""
    from upgrader.stages.context import open_network
    from upgrader.stages.execute.queued import confirm as run
    from upgrader.stages.sign.signer import resolve_signer

    ctx = open_network(network)
    signer = resolve_signer(sender, ctx.chain_id, list(ctx.manifest().safe.owners))
    result = run(ctx, _client(ctx, tx_service, deadline), safe_tx_hash, signer, raw_hash=raw_hash, accept_red=accept_red)
    if json_out:
        print_json({"ok": True, **result.to_json()})
        return
    for a in result.red_accepted:
        err_console.print(f"[yellow]red warnings {', '.join(a['kinds'])} accepted at {a['step']} by {a['by']}: {escape(a['reason'])}[/]", soft_wrap=True)
    verb = "confirmed" if result.added else "already confirmed by"
    console.print(f"[green]{verb}[/] {result.owner}: {result.confirmations} of {result.threshold} confirmations on {safe_tx_hash}", soft_wrap=True)
    if result.nested:
        n = result.nested
        if n["route"] == "contract-signature":
            console.print(f"  through owner Safe {n['owner_safe']}: its EIP-1271 signature of SafeMessage {n['message_hash']}", soft_wrap=True)
        else:
            state = "executed, approval recorded" if n["approved"] else f"{n['inner_confirmations']} of {n['inner_threshold']} signatures"
            console.print(f"  through owner Safe {n['owner_safe']}: its approval {n['inner']['safe_tx_hash']} ({state})", soft_wrap=True)


@app.command()
@handle_errors
def execute(
    safe_tx_hash: Annotated[str, typer.Argument(help="The safeTxHash to execute; for a Timelock or Governor, the operation "
                                                "or proposal id (or the first leg's safeTxHash) whose next leg to run.")],
    network: NetworkOption = "local",
    sender: SenderOption = None,
    replace: Annotated[bool, typer.Option("--replace", help="Re-send the pending execTransaction at the same nonce with higher fees.")] = False,
    wait: Annotated[float, typer.Option("--wait", min=0, help="Seconds to wait for inclusion (re-run to keep waiting).")] = 180.0,
    tx_service: ServiceOpt = None,
    deadline: DeadlineOpt = DEFAULT_DEADLINE_S,
    accept_red: AcceptRedOpt = None,
    json_out: JsonOption = False,
) -> None:
    """Execute a confirmed Safe transaction (or resume one that was sent), verify the chain matches
    the plan, record it in the manifest.

    --sender signs and sends execTransaction."""
    from upgrader.stages.context import open_network
    from upgrader.stages.execute.from_account import run

    ctx = open_network(network)
    signer = None
    if sender is not None:
        from upgrader.stages.sign.signer import resolve_signer

        signer = resolve_signer(sender, ctx.chain_id, [])
    from upgrader.governance.execute import governed_plan_for, run_later_leg

    governed = governed_plan_for(ctx, safe_tx_hash, lambda: _client(ctx, tx_service, deadline))
    if governed is not None:  # a Timelock operation or Governor proposal whose Safe leg is done
        _show_leg(run_later_leg(ctx, governed, signer, wait), json_out)
        return
    result = run(ctx, _client(ctx, tx_service, deadline), safe_tx_hash, signer, replace=replace, wait_s=wait, accept_red=accept_red)
    if json_out:
        print_json({"ok": True, **result.to_json()})
        return
    verb = "recorded (executed earlier by a run that stopped before recording it)" if result.recovered else "executed"
    console.print(f"[green]{verb}[/] {safe_tx_hash} in tx {result.tx} (block {result.block}); plan {result.plan_hash}", soft_wrap=True)
    for name, impl in result.proxies.items():
        done = "verified on chain, recorded in the manifest" if impl.startswith("0x") else "the upgrade runs in a later leg"
        console.print(f"  {name} -> {impl} ({done})", soft_wrap=True)


def _show_leg(result, json_out: bool) -> None:  # type: ignore[no-untyped-def]
    if json_out:
        print_json({"ok": True, **result.to_json()})
        return
    what = {"execute": "executed", "queue": "queued", "recorded": "recorded (executed earlier)"}[result.step]
    where = f" in tx {result.tx} (block {result.block})" if result.tx else ""
    console.print(f"[green]{what}[/] {result.chain} {result.id}{where}; plan {result.plan_hash}: {result.state}", soft_wrap=True)
    for name, impl in result.proxies.items():
        console.print(f"  {name} -> {impl} (verified on chain, recorded in the manifest)", soft_wrap=True)


delegate_app = typer.Typer(help="Delegates: addresses that may propose to the Safe for an owner, without signing.",
                           no_args_is_help=True)
app.add_typer(delegate_app, name="delegate")
DelegateOpt = Annotated[str, typer.Option("--delegate", help="The delegate's address.")]


def _delegate_ctx(network: str, sender: Optional[str]):
    from upgrader.stages.context import open_network
    from upgrader.stages.sign.signer import resolve_signer

    ctx = open_network(network)
    return ctx, (resolve_signer(sender, ctx.chain_id, list(ctx.manifest().safe.owners)) if sender else None)


def _show_change(change, json_out: bool) -> None:
    if json_out:
        print_json({"ok": True, **change.to_json()})
        return
    line(f"{change.action} {change.delegate} as delegate of owner {change.delegator} for Safe {change.safe}", "green")


@delegate_app.command("add")
@handle_errors
def delegate_add(
    sender: SenderOption,
    delegate: DelegateOpt,
    label: Annotated[str, typer.Option("--label", help="A name the service shows for the delegate.")] = "upgrader proposer",
    network: NetworkOption = "local",
    tx_service: ServiceOpt = None,
    json_out: JsonOption = False,
) -> None:
    """The owner (--sender, the delegator) signs Safe's EIP-712 Delegate message: DELEGATE may then propose to the network's Safe."""
    from upgrader.stages.sign.delegates import add

    ctx, signer = _delegate_ctx(network, sender)
    _show_change(add(ctx, _client(ctx, tx_service), signer, delegate, label), json_out)


@delegate_app.command("remove")
@handle_errors
def delegate_remove(
    sender: SenderOption,
    delegate: DelegateOpt,
    network: NetworkOption = "local",
    tx_service: ServiceOpt = None,
    json_out: JsonOption = False,
) -> None:
    """The owner (--sender) withdraws DELEGATE (signed the same way)."""
    from upgrader.stages.sign.delegates import remove

    ctx, signer = _delegate_ctx(network, sender)
    _show_change(remove(ctx, _client(ctx, tx_service), signer, delegate), json_out)


@delegate_app.command("list")
@handle_errors
def delegate_list(network: NetworkOption = "local", tx_service: ServiceOpt = None, json_out: JsonOption = False) -> None:
    """The network Safe's delegates whose delegator is still an owner."""
    from upgrader.stages.sign.delegates import listed

    ctx, _ = _delegate_ctx(network, None)
    found = listed(ctx, _client(ctx, tx_service))
    if json_out:
        print_json({"ok": True, "safe": ctx.manifest().safe.address, "delegates": [d.to_json() for d in found]})
        return
    if not found:
        line(f"no delegates for Safe {ctx.manifest().safe.address}")
    for d in found:
        until = f", EXPIRED {d.expiry_date}: cannot propose" if d.expired() else (f", until {d.expiry_date}" if d.expiry_date else "")
        line(f"{d.delegate}  delegate of {d.delegator}  ({d.label or 'no label'}{until})")
