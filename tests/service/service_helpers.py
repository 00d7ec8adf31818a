"""Helpers shared by the service tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from upgrader.stages.context import NetworkContext


def write_passing_simulation(ctx: NetworkContext, plan: dict[str, Any], ok: bool = True) -> Path:
    """The report `simulate` writes for ``plan`` (run once per plan per session, see tests/simulated.py)."""
    from simulated import simulation_report

    return simulation_report(ctx, plan, ok)


def proposals(ctx: NetworkContext) -> list[Path]:
    folder = ctx.store.folder / "proposals"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def load_json(path: Path) -> Any:
    return json.loads(path.read_text())


ANVIL_MNEMONIC = "test test test test test test test test test test test junk"


def dev_accounts(n: int) -> list[Any]:
    """Anvil's first ``n`` dev accounts (eth_account LocalAccounts)."""
    from eth_account import Account

    Account.enable_unaudited_hdwallet_features()
    return [Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(n)]


def local_deployments(chain: Any, folder: Path) -> Path:
    """The session system's manifest (only: plans and proposals other tests left must not leak
    in) copied to ``folder/local`` as network ``local``, the CLI's default; returns ``folder``."""
    import shutil

    shutil.copytree(chain.config.deployments / chain.network, folder / "local",
                    ignore=shutil.ignore_patterns("plans", "proposals"))
    manifest = json.loads((folder / "local" / "manifest.json").read_text())
    manifest["network"] = "local"
    (folder / "local" / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return folder
