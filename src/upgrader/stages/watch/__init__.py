"""`upgrader watch`: poll the chain and the Safe service and report, once each, what an
operator must look at (``findings.KINDS``). The cursor in ``deployments/<network>/watch.json``
makes a restart continue where the last scan ended.

    watcher = Watcher(ctx, WatchOptions(max_head_age_s=120))
    findings = watcher.scan()      # new findings only; the cursor is saved after each scan
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from upgrader.stages.watch import cursor
from upgrader.stages.watch.chain_scan import safe_findings, upgrade_findings
from upgrader.stages.watch.kinds import KINDS, WatchFinding
from upgrader.stages.watch.health import endpoint_findings, head_findings

__all__ = ["WatchFinding", "KINDS", "WatchOptions", "Watcher"]


@dataclass(frozen=True)
class WatchOptions:
    max_head_age_s: float = 300.0  # the head block may be this old
    max_pending_s: float = 86_400.0  # a proposal may wait this long for its signatures
    from_block: int | None = None  # first run only (default: the manifest's last recorded block + 1)
    service: bool = True  # read the Safe service's queue when the network has one


class Watcher:
    def __init__(self, ctx: Any, options: WatchOptions = WatchOptions(), client: Any = None) -> None:
        self.ctx, self.options, self.client = ctx, options, client
        self.path: Path = ctx.store.folder / "watch.json"
        self.state = cursor.load(self.path, ctx.chain_id)
        self.last_scanned: int | None = self.state.last_block

    def scan(self) -> list[WatchFinding]:
        """One pass over the blocks since the cursor, the Safe's settings, the service's queue
        and the RPC's health; returns the findings not reported before and saves the cursor."""
        from upgrader.stages.sync import last_recorded_block

        ctx, opts = self.ctx, self.options
        manifest = ctx.manifest()
        head = int(ctx.w3.eth.block_number)
        start = self.state.last_block + 1 if self.state.last_block is not None else (
            opts.from_block if opts.from_block is not None else last_recorded_block(manifest) + 1)
        found = head_findings(ctx.w3, head, opts.max_head_age_s)
        found += endpoint_findings(ctx.network.rpc_urls())
        found += upgrade_findings(ctx, manifest, start, head)
        from upgrader.stages.watch.timelock_scan import due_findings, timelock_findings  # a Timelock / Governor

        found += timelock_findings(ctx, manifest, start, head) + due_findings(ctx, manifest)
        safe_found, self.state.safe = safe_findings(ctx.w3, manifest, self.state.safe, head)
        found += safe_found
        client = self._client(manifest)
        if client is not None:
            from upgrader.sim.safe_exec import safe_contract
            from upgrader.stages.watch.queue_scan import queue_findings

            nonce = safe_contract(ctx.w3, manifest.safe.address).functions.nonce().call()
            found += queue_findings(ctx, manifest, client, nonce, opts.max_pending_s)
        self.state, new = cursor.commit(ctx.store, self.path, found, max(head, start - 1), self.state.safe,
                                        ctx.network.name, ctx.chain_id)
        self.last_scanned = self.state.last_block
        return new

    def _client(self, manifest: Any) -> Any:
        if self.client is not None or not self.options.service:
            return self.client
        from upgrader.stages.safe_api import has_service, open_client

        if not has_service(self.ctx.network, manifest.chain_id):  # no safe_api and a chain Safe serves no service for
            return None

        self.client = open_client(self.ctx.network, manifest.chain_id, deadline_s=10.0)
        return self.client

    @property
    def counts(self) -> dict[str, int]:
        return dict(self.state.counts)
