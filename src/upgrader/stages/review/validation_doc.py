"""The validation document a signer keeps: ``proposals/<safeTxHash>.validation.md``.

    text = validation_document(report, sim, command)     # ASCII markdown, same inputs -> same bytes
    digest = write_document(path, text)                  # atomic; keccak256 of the bytes written

It holds, for each Safe that signs (``review.signing_safes``), the EIP-712 domain and SafeTx
fields with the three hashes as a hardware wallet shows them; the decoded call tree down to
every proxy call and init call (``review.decode``); the fork's state diff as ``review
--simulate`` decoded it (``sim.diff``/``sim.slots``: the one decoder), every changed slot with
what named it and, for those nothing named, the reason, counted; balances; events; the
review's warnings; and the command that makes it again at the same block.

Nothing in it depends on the machine, the clock or the RPC URL: two signers who run the
command get the same bytes and can compare keccaks. The fork's blocks are stamped from the forked
block (``sim.runner.pin_clock``: 12 s apart), not from the wall clock, so what the transaction
stores from ``block.timestamp`` (a Timelock's ETA) is the same in both."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from upgrader.keccak import keccak
from upgrader.safe.hashreport import as_shown_on_device

__all__ = ["count_undecoded", "default_path", "reproduce_command", "validation_document", "write_document", "write_validation"]

SHORT_DATA = 256  # bytes of SafeTx data written out in full; longer: size, selector and keccak


def default_path(proposals_dir: Path | None, safe_tx_hash: str) -> Path:
    return (proposals_dir or Path("proposals")) / f"{safe_tx_hash}.validation.md"


def write_document(path: Path, text: str) -> str:
    """Write ``text`` (ASCII) atomically; the keccak256 of the bytes, 0x-hex."""
    from upgrader.manifest.store import atomic_write

    data = text.encode("ascii")
    atomic_write(path, text)
    return "0x" + keccak(data).hex()


def reproduce_command(target: str, network: str, fork_block: int, *, plan_hash: str | None = None, nonce: int | None = None,
                      safe_version: str | None = None, multisend: str | None = None, fork_url_given: bool = False,
                      chain_id: int | None = None) -> str:
    """The command that makes this document again, at the same block (an RPC URL given with
    --fork-url is not written: it may hold a key, and another signer uses their own)."""
    parts = ["upgrader", "review", target, "--network", network, "--block", str(fork_block)]
    for flag, value in (("--plan", plan_hash), ("--nonce", nonce), ("--safe-version", safe_version), ("--multisend", multisend)):
        if value is not None:
            parts += [flag, str(value)]
    if fork_url_given:
        parts += ["--fork-url", f"<an RPC of chain {chain_id}>"]
    return " ".join(parts + ["--validation-file"])


def from_review(report: Any, ctx: Any, path: str, options: dict[str, Any]) -> dict[str, Any]:
    """What ``upgrader review --validation-file`` does after its simulation: the document of
    ``report`` written at ``path`` ("" for the default), with the command of ``options`` (the
    review's own: target, network, plan, nonce, safe_version, multisend, fork_url)."""
    sim = report.simulation
    h = report.hashes["safe_tx_hash"]
    target = options["target"]
    if ctx.proposals_dir is not None and Path(target).is_file() and Path(target).resolve() == (ctx.proposals_dir / f"{h}.json").resolve():
        target = h  # the proposal under deployments/: every signer names it by its hash
    plan_hash = (report.plan or {}).get("plan_hash") if options.get("plan") else None
    command = reproduce_command(target, options["network"], sim["fork_block"], plan_hash=plan_hash, nonce=options.get("nonce"),
                                safe_version=options.get("safe_version"), multisend=options.get("multisend"),
                                fork_url_given=bool(options.get("fork_url")), chain_id=report.subject.chain_id)
    out, digest, undecoded = write_validation(report, sim, ctx, path, command)
    return {"path": str(out), "keccak256": digest, "undecoded_slots": undecoded, "command": command}


def write_validation(report: Any, sim: dict[str, Any], ctx: Any, path: str, command: str) -> tuple[Path, str, int]:
    """Render and write the document for ``report`` (``path`` "" is the default place): the
    path, its keccak256 and the number of undecoded slots."""
    from upgrader.stages.review.decode import artifacts_of
    from upgrader.sim.known_slots import role_ids

    out = Path(path) if path else default_path(ctx.proposals_dir, report.hashes["safe_tx_hash"])
    text = validation_document(report, sim, command, role_ids(a.abi for a in artifacts_of(ctx.build_info)))
    return out, write_document(out, text), count_undecoded(sim)[1]


def count_undecoded(sim: dict[str, Any]) -> tuple[int, int]:
    """(changed slots, slots nothing named), the operation at its ETA included."""
    rows = _slot_rows(sim)
    return len(rows), sum(1 for r in rows if r[2] is None)


def validation_document(report: Any, sim: dict[str, Any], command: str, roles: dict[int, str] | None = None) -> str:
    from upgrader import __version__

    roles = roles or {}
    h, s = report.hashes or {}, report.subject
    run = sim["execution"]
    changed, undecoded = count_undecoded(sim)
    lines = [f"# Validation of Safe transaction {h.get('safe_tx_hash')}", "",
             f"Safe `{s.safe}` on chain {s.chain_id}, nonce {report.tx.nonce}; simulated on a fork of block "
             f"{sim['fork_block']} by upgrader {__version__}.", "",
             "Reproduce (same inputs, same bytes; compare the keccak256 of this file with another signer's):", "",
             "```", command, "```", "",
             "## Summary", "",
             f"- execution: {'succeeded' if run['ok'] else 'FAILS: ' + str(run['revert'])}, gas used {run['gas_used']}",
             f"- signing Safes: {len(sim.get('signing_safes') or [])}",
             f"- calls: {len(report.root.walk())} (the Safe transaction and every call inside it)",
             f"- changed storage slots: {changed}, decoded {changed - undecoded}, undecoded {undecoded}",
             f"- red warnings: {len(report.red)}" + (f" ({', '.join(sorted({w.kind for w in report.red}))})" if report.red else ""),
             *[f"- note: {n}" for n in run["notes"]]]
    lines += _signers(sim.get("signing_safes") or [], h)
    lines += ["", "## Calls", ""] + [line for node in [report.root] for line in _call_lines(node, 0)]
    lines += _state(sim, roles, "State changes")
    if sim.get("at_eta"):
        lines += ["", "## What the Timelock runs at its ETA", ""]
        lines += [f"- {'ok' if c['ok'] else 'FAILS'} {c['name']}: {c['detail']}" for c in sim.get("later_checks") or []]
        lines += _state(sim["at_eta"], roles, "State changes at the ETA")
    lines += ["", "## Warnings of the review", ""]
    lines += [f"- {w.severity.upper()} `{w.kind}`: {w.message}" for w in report.warnings] or ["- none"]
    return _ascii("\n".join(lines) + "\n")


def _signers(entries: list[dict[str, Any]], outer: dict[str, str]) -> list[str]:
    lines = ["", "## What each signing Safe's signers sign", ""]
    if entries and outer and entries[0]["safe_tx_hash"] != outer.get("safe_tx_hash"):
        lines += [f"**The review's safeTxHash {outer.get('safe_tx_hash')} differs from the one the Safe on the fork computes "
                  f"({entries[0]['safe_tx_hash']}): its version is not the one the review assumed.**", ""]
    for e in entries:
        m = e["message"]
        lines += [f"### {e['path']}: Safe `{e['safe']}` (v{e['version']}, {e['threshold']} of {len(e['owners'])})", "",
                  f"{e['role']}; owners {', '.join(f'`{o}`' for o in e['owners'])}.", "",
                  "| EIP-712 | value |", "|---|---|",
                  *[f"| domain.{k} | `{e['domain'][k]}` |" for k in ("chainId", "verifyingContract") if k in e["domain"]],
                  f"| to | `{m['to']}` |", f"| value | {m['value']} |", f"| data | {_data(m['data'])} |",
                  f"| operation | {m['operation']} ({'DELEGATECALL' if m['operation'] == '1' else 'CALL'}) |",
                  *[f"| {k} | `{m[k]}` |" for k in m if k not in ("to", "value", "data", "operation")], "",
                  "As a hardware wallet shows them:", "",
                  f"- domain hash `{as_shown_on_device(e['domain_hash'])}`",
                  f"- message hash `{as_shown_on_device(e['message_hash'])}`",
                  f"- safeTxHash `{e['safe_tx_hash']}`", ""]
        if e.get("contract_signature"):
            c = e["contract_signature"]
            lines += ["Or, by EIP-1271 (its fallback handler answers and one signer meets its threshold), the SafeMessage:", "",
                      f"- message `{c['message']}`", f"- domain hash `{as_shown_on_device(c['domain_hash'])}`",
                      f"- SafeMessage hash `{c['message_hash']}`", ""]
    return lines


def _data(hex_data: str) -> str:
    data = bytes.fromhex(hex_data[2:])
    if len(data) <= SHORT_DATA:
        return f"`{hex_data}`"
    return f"`0x{data[:4].hex()}...` ({len(data)} bytes, keccak256 `0x{keccak(data).hex()}`)"


def _call_lines(node: Any, depth: int) -> list[str]:
    c = node.call
    op = "DELEGATECALL" if c.operation else "CALL"
    value = f", value {c.value} wei" if c.value else ""
    out = [f"{'  ' * depth}- `{node.path}` {op} `{c.to}` ({node.to_name or 'UNKNOWN'}){value}: {node.summary()}"]
    if node.deploy is not None:
        d = node.deploy
        out.append(f"{'  ' * depth}  - CREATE2 salt `0x{d.salt.hex()}`, init code {d.initcode_size} bytes, "
                   f"contract {d.artifact.fqn if d.artifact else 'NOT IN THE BUILD'}")
    for a in node.args:
        sub = a.get("decoded")
        if sub is not None:
            out.append(f"{'  ' * (depth + 1)}- `{sub.path}` runs in the proxy (init call) with the code of `{sub.call.to}`: "
                       f"{sub.summary() if sub.function else f'undecoded data 0x{sub.call.data[:4].hex()} ({len(sub.call.data)} bytes)'}")
            out += [f"{'  ' * (depth + 2)}- {x['name']} ({x['type']}): {_arg(x)}" for x in sub.args]
        elif not node.is_batch:
            out.append(f"{'  ' * (depth + 1)}- {a['name']} ({a['type']}): {_arg(a)}")
    for child in node.calls or []:
        out += _call_lines(child, depth + 1)
    return out


def _arg(a: dict[str, Any]) -> str:
    v = a["value"]
    text = "0x" + v.hex() if isinstance(v, bytes) else str(v)
    if isinstance(v, bytes) and len(v) > SHORT_DATA:
        text = f"0x{v[:8].hex()}... ({len(v)} bytes, keccak256 0x{keccak(v).hex()})"
    return f"`{text}`" + (f" ({a['name_of']})" if a.get("name_of") else "")


def _slot_rows(sim: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """(contract, slot, name or None) per changed slot: a slot is decoded when a name covers it."""
    rows: dict[tuple[str, str], str | None] = {}
    for part in [sim, sim.get("at_eta") or {}]:
        for e in part.get("storage") or []:
            for c in e["changes"]:
                key = (e["address"], c["slot"]) if part is sim else ("eta:" + e["address"], c["slot"])
                rows[key] = rows.get(key) or c["name"]
    return [(a, sl, n) for (a, sl), n in rows.items()]


def _state(sim: dict[str, Any], roles: dict[int, str], title: str) -> list[str]:
    lines = ["", f"## {title} (fork of block {sim['fork_block']})", ""]
    undecoded = []
    for e in sim.get("storage") or []:
        lines += [f"### {e['name']} `{e['address']}`" + (" (created)" if e["created"] else ""), "",
                  f"Layout: {e['layout'] or 'none known'}", "",
                  "| slot | variable | type | before | after | decoded by |", "|---|---|---|---|---|---|"]
        for c in e["changes"]:
            if c["name"] is None:
                undecoded.append((e, c))
            lines.append(f"| `{c['slot']}` | {_named(c['name'], roles) if c['name'] else '**UNDECODED**'} | {c['type'] or '-'} | "
                         f"`{c['before']}` | `{c['after']}` | {c.get('decoded_by') or '-'} |")
        lines.append("")
    lines += [f"### Undecoded slots: {len(undecoded)}", ""]
    lines += [f"- {e['name']} `{e['address']}` slot `{c['slot']}`: {_reason(e)}" for e, c in undecoded] or ["- none"]
    lines += ["", "### Balances", ""]
    lines += [f"- ETH {b['name']} `{b['address']}`: {b['before']} -> {b['after']} ({_signed(b['delta'])} wei)" for b in sim.get("eth_balances") or []]
    lines += [f"- {b['token_name']} `{b['token']}` of {b['holder_name']} `{b['holder']}`: {b['before']} -> {b['after']} ({_signed(b['delta'])})"
              for b in sim.get("erc20_balances") or []]
    if not (sim.get("eth_balances") or sim.get("erc20_balances")):
        lines.append("- none change")
    lines += ["", "### Events", ""]
    for i, ev in enumerate(sim.get("events") or [], 1):
        if ev["event"]:
            args = ", ".join(f"{k}={_short(v)}" for k, v in ev["args"].items())
            lines.append(f"{i}. {ev['emitter']} `{ev['address']}`: {ev['event']}({args})")
        else:
            lines.append(f"{i}. {ev['emitter']} `{ev['address']}`: undecoded log, topics {', '.join(ev['topics']) or '-'}, data `{ev['data']}`")
    if not sim.get("events"):
        lines.append("- none")
    return lines


def _reason(entry: dict[str, Any]) -> str:
    tail = "no standard (ERC-1967, Safe) or OpenZeppelin 5 slot, and no keccak the transaction computed places it"
    if entry["layout"] is None:
        return f"no layout: the contract is neither in the build nor a recorded proxy; {tail}"
    return f"no variable of {entry['layout']} is at this slot (or covers the bytes that changed); {tail}"


_ROLE_KEY = re.compile(r"(_roles|_roleMembers)\[0x([0-9a-fA-F]{1,64})\]")


def _named(name: str, roles: dict[int, str]) -> str:
    """A role id keying AccessControl's mappings is shown with its name: ``_roles[UPGRADER_ROLE 0x189a...]``."""
    def show(m: re.Match[str]) -> str:
        role = roles.get(int(m.group(2), 16))
        return f"{m.group(1)}[{role} 0x{m.group(2)}]" if role else m.group(0)

    return _ROLE_KEY.sub(show, name)


def _signed(delta: str) -> str:
    return delta if delta.startswith("-") else f"+{delta}"


def _ascii(text: str) -> str:
    """The same bytes whatever the locale: ASCII, with the few signs messages use spelled out."""
    for sign, plain in (("\u2026", "..."), ("\u2192", "->"), ("\u2014", "--"), ("\u00b2", "^2")):
        text = text.replace(sign, plain)
    return text.encode("ascii", "backslashreplace").decode("ascii")


def _short(value: str) -> str:
    """An event argument: long hex (calldata, signatures) as its start, size and keccak."""
    if value.startswith("0x") and len(value) > 2 + 2 * SHORT_DATA:
        try:
            return _data(value).replace("`", "")
        except ValueError:  # not hex after all
            return value
    return value
