"""What ``status`` adds for a chain of authority: the chain itself, each pending plan's
operation or proposal (``scheduled (ready at …, in 1d 23h)``, ``ready``, ``executed``,
``cancelled``, a proposal's vote), and a pending proxy whose upgrade is scheduled or ready in
the Timelock shown as ``scheduled`` / ``ready``."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from upgrader.governance import chain_of
from upgrader.governance.track import by_proxy, operations

if TYPE_CHECKING:
    from upgrader.manifest import Manifest
    from upgrader.stages.context import NetworkContext
    from upgrader.stages.status import StatusReport


def governed_status(ctx: "NetworkContext", manifest: "Manifest", report: "StatusReport") -> "StatusReport":
    if manifest.governance is None:
        return report
    ops = operations(ctx, manifest)
    live = by_proxy(ops)
    proxies = []
    for p in report.proxies:
        progress = live.get(p.name)
        if p.state == "pending" and progress is not None and progress.state in ("scheduled", "ready"):
            what = "operation" if progress.chain == "timelock" else "proposal"
            p = replace(p, state=progress.state, detail=f"{what} {progress.id}: {progress.text}")
        elif p.state == "pending" and progress is not None:
            p = replace(p, detail=f"{p.detail}; {progress.chain} {progress.id}: {progress.text}")
        proxies.append(p)
    return replace(report, proxies=proxies, governance=chain_of(manifest).describe(manifest),
                   operations=[{**progress.to_json(), "proxies": [u["proxy"] for u in plan["upgrades"]]} for plan, progress in ops])
