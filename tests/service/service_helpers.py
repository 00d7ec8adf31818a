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


SENTINEL = "0x0000000000000000000000000000000000000001"


def compatibility_fallback_handler(w3: Any, deployer: str) -> str:
    """Safe's CompatibilityFallbackHandler 1.4.1 (it answers isValidSignature for a Safe), from
    the bytecode safe-eth-py ships (safe_eth/eth/contracts/abis/CompatibilityFallbackHandler_V1_4_1.json)."""
    import safe_eth

    from upgrader.chain import create2

    artifact = json.loads((Path(safe_eth.__file__).parent / "eth" / "contracts" / "abis"
                           / "CompatibilityFallbackHandler_V1_4_1.json").read_text())
    return create2.ensure_deployed(w3, deployer, bytes.fromhex(artifact["bytecode"][2:]), bytes(32))[0]


def make_nested(ctx: NetworkContext, chain: Any, keys: Any, fallback_handler: bool = False, salt: int = 77) -> tuple[str, list[Any]]:
    """Swap the Safe's third owner for a new 1-of-2 owner Safe (outsider + one more dev key),
    optionally with a CompatibilityFallbackHandler (so it can sign by EIP-1271)."""
    from upgrader.deploy.safe import create_safe, deploy_infrastructure
    from upgrader.safe.tx import SafeTx
    from upgrader.sim.safe_exec import approve_and_execute, safe_contract

    inner_keys = [keys.outsider, next(a for a in dev_accounts(10) if a.address not in chain.owners and a.address != keys.outsider.address)]
    infra = deploy_infrastructure(chain.w3, chain.deployer)
    owner_safe = create_safe(chain.w3, chain.deployer, infra, [k.address for k in inner_keys], 1, salt_nonce=salt)
    if fallback_handler:
        handler = compatibility_fallback_handler(chain.w3, chain.deployer)
        data = bytes.fromhex(safe_contract(chain.w3, owner_safe).encode_abi("setFallbackHandler", [handler])[2:])
        approve_and_execute(chain.w3, owner_safe, SafeTx(to=owner_safe, data=data, nonce=0), [inner_keys[0].address])
    safe = safe_contract(chain.w3, chain.safe)
    owners = list(safe.functions.getOwners().call())
    old = keys.owners[2].address
    prev = SENTINEL if owners.index(old) == 0 else owners[owners.index(old) - 1]
    swap = bytes.fromhex(safe.encode_abi("swapOwner", [prev, old, owner_safe])[2:])
    approve_and_execute(chain.w3, chain.safe, SafeTx(to=chain.safe, data=swap, nonce=0), [keys.owners[0].address, keys.owners[1].address])
    new_owners = list(safe.functions.getOwners().call())
    assert owner_safe in new_owners and old not in new_owners
    ctx.store.update(lambda m: m.model_copy(update={"safe": m.safe.model_copy(update={"owners": new_owners})}))
    return owner_safe, inner_keys
