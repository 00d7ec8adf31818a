"""Options every command shares, declared once (issue 18).

- ``json_out: JsonOption = False``: the error boundary (``output.handle_errors``) finds --json
  under that one name to put a failure on stdout as ``{"error": {"kind", "message"}}`` too.
- ``network: NetworkOption = "local"``: the network from the settings (``upgrader.config``).
- ``sender: SenderOption = None`` (or no default where a command cannot do without one): who
  signs or sends, resolved by ``stages.sign.signer.resolve_signer`` or ``deploy.sender``.
- ``plan_file: PlanFileArgument``: the plan a stage after `plan` reads (`simulate`, `propose`).

``tests/faults/test_shared_options.py`` fails on a command that declares one of them itself."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

__all__ = ["JSON_PARAMETER", "JsonOption", "NetworkOption", "SenderOption", "PlanFileArgument", "SENDER", "NETWORK", "JSON"]

JSON_PARAMETER = "json_out"  # the parameter name of --json in every command
JSON = typer.Option("--json", help="Machine-readable output on stdout (nothing else there).")
NETWORK = typer.Option("--network", "-n", help="Network from the upgrader settings (ape-config.yaml or upgrader.toml).")
SENDER = typer.Option("--sender", help="Who signs or sends: an ape account alias, or the address or index of a dev "
                                       "chain's test account or of an account the node unlocked.")

JsonOption = Annotated[bool, JSON]
NetworkOption = Annotated[str, NETWORK]
SenderOption = Annotated[Optional[str], SENDER]
PlanFileArgument = Annotated[Path, typer.Argument(help="The plan file written by `upgrader plan`.")]
