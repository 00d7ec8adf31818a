"""The simulation as a signer reads it (rich markup; the CLI prints it)."""

from __future__ import annotations

from typing import Any

from rich.markup import escape


def simulation_lines(sim: dict[str, Any]) -> list[str]:
    run = sim["execution"]
    out = [f"\n[bold]Simulation[/] on a fork of block {sim['fork_block']}"]
    if run["ok"]:
        out.append(f"  [green]succeeded[/], gas used {run['gas_used']}")
    else:
        out.append(f"  [bold red]FAILS[/]: {escape(str(run['revert']))}" + (f" (gas used {run['gas_used']})" if run["gas_used"] else ""))
    out += [f"  [yellow]note[/]: {escape(n)}" for n in run["notes"]]
    for a in run["approvals"]:
        mark = "[green]approved[/]" if a["ok"] else f"[bold red]failed[/]: {escape(str(a['revert']))}"
        out.append(f"  owner Safe {a['safe']} approves through its own execTransaction ({a['safe_tx_hash']}): {mark}, gas {a['gas_used']}")
    if sim["storage"]:
        out.append("\n[bold]Storage changes[/]")
    for entry in sim["storage"]:
        created = " (created)" if entry["created"] else ""
        out.append(f"  {escape(entry['name'])} {entry['address']}{created}" + (f" [dim]layout {escape(entry['layout'])}[/]" if entry["layout"] else ""))
        for c in entry["changes"]:
            name = escape(c["name"]) if c["name"] else f"[yellow]slot {c['slot']}[/]"
            out.append(f"    {name}: {escape(c['before'])} → {escape(c['after'])}")
    if sim.get("state_writes"):
        out.append("\n[bold]Writes to the upgraded proxies' storage[/]")
    for w in sim.get("state_writes", []):
        mark = {"undeclared": "[bold red]UNDECLARED[/]", "intended": "[green]declared[/]"}.get(w["verdict"], w["verdict"])
        out.append(f"  {escape(w['proxy'])} {escape(w['name'] or 'slot ' + w['slot'])}: {escape(w['before'])} → {escape(w['after'])} ({mark})")
    if sim["eth_balances"] or sim["erc20_balances"]:
        out.append("\n[bold]Balance changes[/]")
    for b in sim["eth_balances"]:
        out.append(f"  ETH {escape(b['name'])}: {b['before']} → {b['after']} ({_signed(b['delta'])} wei)")
    for b in sim["erc20_balances"]:
        out.append(f"  {escape(b['token_name'])} {escape(b['holder_name'])}: {b['before']} → {b['after']} ({_signed(b['delta'])})")
    if sim["events"]:
        out.append("\n[bold]Events[/]")
    for e in sim["events"]:
        if e["event"]:
            args = ", ".join(f"{k}={_brief(v)}" for k, v in e["args"].items())
            out.append(f"  {escape(e['emitter'])}.{e['event']}({escape(args)})")
        else:
            out.append(f"  {escape(e['emitter'])}: undecoded log, topic0 {e['topics'][0] if e['topics'] else '-'}")
    for c in sim["safe_changes"]:
        out.append(f"  [bold red]Safe {c['setting']} changes[/]: {escape(str(c['before']))} → {escape(str(c['after']))}")
    for c in sim["proxy_changes"]:
        style = "green" if c["explained_by_plan"] else "bold red"
        why = "as the plan says" if c["explained_by_plan"] else "NOT in any plan"
        out.append(f"  [{style}]{escape(c['proxy'])} {c['setting']}[/]: {c['before']} → {c['after']} ({why})")
    if sim.get("probes"):
        out.append("\n[bold]Pre-sign probes[/]")
    for f in sim.get("probes", []):
        where = f"{escape(f['proxy'])} " if f["proxy"] else ""
        out.append(f"  {'[green]ok[/]' if f['ok'] else '[bold red]FAILS[/]'} {where}{escape(f['check'])}: {escape(f['detail'])}")
    if sim.get("later_checks"):
        out.append("\n[bold]What the Timelock runs later, at its ETA[/]")
        out += [f"  {'[green]ok[/]' if c['ok'] else '[bold red]FAILS[/]'} {escape(c['name'])}: {escape(c['detail'])}" for c in sim["later_checks"]]
    if sim.get("at_eta"):
        out += ["  " + line for line in simulation_lines(sim["at_eta"])[1:]]
    return out


LONG_BYTES = 64  # an event's bytes argument longer than this is shown by its start and length (--json has it all)


def _brief(value: str) -> str:
    """An event argument as a signer reads it: a long ``bytes`` value (a Safe's
    SafeMultiSigTransaction carries the whole batch, already decoded above) is shortened."""
    if value.startswith("0x") and len(value) > 2 + 2 * LONG_BYTES and all(c in "0123456789abcdefABCDEF" for c in value[2:]):
        return f"{value[:18]}… ({(len(value) - 2) // 2} bytes)"
    return value


def _signed(delta: str) -> str:
    return delta if delta.startswith("-") else f"+{delta}"
