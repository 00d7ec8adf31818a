"""`upgrader watch`: report drift (unplanned upgrades, Safe setting changes, foreign queued
transactions, stale proposals, an unhealthy RPC) as one JSON line per finding."""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated, Optional

import typer

from upgrader.cli.common.options import JsonOption, NetworkOption
from upgrader.cli.main import app
from upgrader.cli.common.output import handle_errors


@app.command()
@handle_errors
def watch(
    network: NetworkOption = "local",
    interval: Annotated[float, typer.Option("--interval", min=0.1, help="Seconds between scans.")] = 30.0,
    once: Annotated[bool, typer.Option("--once", help="Scan once; exit 1 if anything was found (for cron/CI).")] = False,
    metrics: Annotated[Optional[str], typer.Option("--metrics", help="Serve Prometheus text metrics on this loopback HOST:PORT.")] = None,
    max_head_age: Annotated[float, typer.Option("--max-head-age", min=1, help="Seconds the RPC's head block may be old.")] = 300.0,
    max_pending: Annotated[float, typer.Option("--max-pending", min=1, help="Seconds a proposal may wait for its signatures.")] = 86_400.0,
    from_block: Annotated[Optional[int], typer.Option("--from-block", min=0, help="First block of the first scan (default: the manifest's last recorded block + 1).")] = None,
    tx_service: Annotated[Optional[str], typer.Option("--tx-service", help="Safe service URL (default: the network's safe_api, if any).")] = None,
    service: Annotated[bool, typer.Option("--service/--no-service", help="Read the Safe service's queue (when the network has one).")] = True,
    json_out: JsonOption = False,  # JSON lines, even on a terminal
) -> None:
    """Poll the chain and the Safe service; print each finding once (JSON lines, readable on a terminal)."""
    from upgrader.stages.context import open_network
    from upgrader.stages.watch import Watcher, WatchOptions
    from upgrader.stages.watch.metrics import render, serve

    ctx = open_network(network)
    client = None
    if tx_service:
        from upgrader.stages.safe_api import open_client

        client = open_client(ctx.network, ctx.chain_id, tx_service, deadline_s=10.0)
    watcher = Watcher(ctx, WatchOptions(max_head_age, max_pending, from_block, service), client)
    scans = [0]
    server = serve(metrics, lambda: render(watcher.counts, watcher.last_scanned, scans[0])) if metrics else None
    readable = sys.stdout.isatty() and not json_out
    try:
        while True:
            found = watcher.scan()
            scans[0] += 1
            for f in found:
                text = f"[{f.kind}] {f.message}" if readable else json.dumps(f.to_json(network), sort_keys=True)
                sys.stdout.write(text + "\n")
            sys.stdout.flush()
            if once:
                raise typer.Exit(1 if found else 0)
            time.sleep(interval)
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    finally:
        if server is not None:
            server.shutdown()
