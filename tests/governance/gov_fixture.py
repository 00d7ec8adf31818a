"""The governance fixture (its pytest fixtures are in conftest.py): the Foundry project in
tests/governance/project compiled by upgrader's own build (real solc), deployed on Anvil from
that build: a 2-of-3 Safe from real Safe 1.4.1 bytecode, OpenZeppelin's TimelockController
(5.7.0 or 4.9.6) with a 2-day minimum delay, a Box (UUPS) and a Shelf (Transparent, its
ProxyAdmin owned by the Timelock), and for the Governor variants OpenZeppelin's Governor with
GovernorTimelockControl in front, voting with an ERC20Votes token held by three accounts.

Variants (``System.variant``):
- ``open``:       Safe proposer + canceller, executor role open (address(0)), OZ 5
- ``safe-exec``:  Safe proposer + canceller + the only executor, OZ 5
- ``open-v4``:    as ``open`` on OZ 4.9
- ``account-exec``: as a public Foundry repo sets it up (gwalen/erc20_swapper_task@a10c00f,
                  script/deployer/TimelockDeployer.s.sol and SwapperDeployer.s.sol): the deployer is
                  the Timelock's proposer, executor and admin; after the proxies are deployed the
                  team grants the Safe PROPOSER_ROLE and CANCELLER_ROLE through that admin: the
                  only executor is the deployer's EOA, OZ 5
- ``governor``:   Governor proposer + canceller + executor of the Timelock, OZ 5
- ``governor-v4``: the same on OZ 4.9
Nothing of upgrader's (manifest, settings beyond upgrader.toml) is written here."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PROJECT = Path(__file__).resolve().parent / "project"
OZ = {"openzeppelin-contracts": "contracts", "openzeppelin-contracts-upgradeable": "contracts-upgradeable",
      "openzeppelin-contracts-v4": "contracts-v4", "openzeppelin-contracts-upgradeable-v4": "contracts-upgradeable-v4"}
TWO_DAYS = 2 * 24 * 3600
ZERO = "0x" + "00" * 20
VARIANTS = ("open", "safe-exec", "open-v4", "governor", "governor-v4", "account-exec")
TIMELOCK_FQN = {"5": "lib/openzeppelin-contracts/governance/TimelockController.sol:TimelockController",
                "4": "lib/openzeppelin-contracts-v4/governance/TimelockController.sol:TimelockController"}
GOVERNOR_FQN = {"5": ("src/governance/UpgradeGovernor.sol:UpgradeGovernor", "src/governance/UpgradeGovernor.sol:VotesToken"),
                "4": ("src/governance/UpgradeGovernorV4.sol:UpgradeGovernorV4", "src/governance/UpgradeGovernorV4.sol:VotesTokenV4")}


@dataclass
class System:
    variant: str
    w3: Any
    build_info: dict
    safe: str
    owners: list[str]
    multisend: str
    timelock: str
    box: str
    shelf: str
    shelf_admin: str
    governor: str | None = None
    token: str | None = None
    holders: list[str] = field(default_factory=list)
    deployer: str = ""

    @property
    def oz(self) -> str:
        return "4" if self.variant.endswith("-v4") else "5"

    def contract(self, fqn: str, address: str) -> Any:
        from upgrader.build import artifacts

        return self.w3.eth.contract(address=address, abi=artifacts.find(self.build_info, fqn).abi)

    def timelock_contract(self) -> Any:
        return self.contract(TIMELOCK_FQN[self.oz], self.timelock)

    def governor_contract(self) -> Any:
        return self.contract(GOVERNOR_FQN[self.oz][0], self.governor)

    def proxy_args(self) -> list[str]:
        return ["--proxy", f"Box={self.box}", "--proxy", f"Shelf={self.shelf}"]


def copy_project(dest: Path) -> Path:
    shutil.copytree(PROJECT, dest, ignore=shutil.ignore_patterns("lib", "out", "cache", "deployments", ".build"))
    (dest / "lib").mkdir()
    for link, package in OZ.items():
        (dest / "lib" / link).symlink_to(ROOT / "node_modules" / "@openzeppelin" / package)
    return dest


def deploy_contract(w3: Any, build_info: dict, fqn: str, sender: str, *args: Any) -> str:
    from upgrader.build import artifacts
    from upgrader.chain.rpc import send

    art = artifacts.find(build_info, fqn)
    factory = w3.eth.contract(abi=art.abi, bytecode=art.initcode)
    receipt = send(w3, factory.constructor(*args).build_transaction({"from": sender}))
    return receipt["contractAddress"]


def transact(w3: Any, fn: Any, sender: str) -> Any:
    from upgrader.chain.rpc import send

    return send(w3, fn.build_transaction({"from": sender}))


def deploy(w3: Any, build_info: dict, variant: str, salt_nonce: int) -> System:
    """One system of ``variant``; each variant has its own Safe (salt nonce) and contracts."""
    from eth_utils import to_checksum_address

    from upgrader.build import artifacts
    from upgrader.deploy.safe import create_safe, deploy_infrastructure

    assert variant in VARIANTS
    accounts = [to_checksum_address(a) for a in w3.eth.accounts]
    deployer, owners = accounts[0], sorted(accounts[1:4], key=lambda a: int(a, 16))
    infra = deploy_infrastructure(w3, deployer)
    safe = create_safe(w3, deployer, infra, owners, threshold=2, salt_nonce=salt_nonce)
    oz = "4" if variant.endswith("-v4") else "5"
    governed = variant.startswith("governor")
    executors = [ZERO] if variant in ("open", "open-v4") else [safe]
    if variant == "account-exec":
        timelock = deploy_contract(w3, build_info, TIMELOCK_FQN[oz], deployer, TWO_DAYS, [deployer], [deployer], deployer)
    else:
        timelock = deploy_contract(w3, build_info, TIMELOCK_FQN[oz], deployer, TWO_DAYS, [] if governed else [safe],
                                   [] if governed else executors, deployer if governed else ZERO)
    system = System(variant, w3, build_info, safe, owners, infra.multisend_call_only, timelock, "", "", "", deployer=deployer)
    if governed:
        _governor_in_front(system, accounts)
    box_impl = deploy_contract(w3, build_info, "src/v1/Box.sol:Box", deployer)
    box = w3.eth.contract(abi=artifacts.find(build_info, "Box").abi)
    system.box = deploy_contract(w3, build_info, "ERC1967Proxy", deployer, box_impl, box.encode_abi("initialize", [timelock, 7]))
    shelf_impl = deploy_contract(w3, build_info, "src/v1/Shelf.sol:Shelf", deployer)
    shelf = w3.eth.contract(abi=artifacts.find(build_info, "Shelf").abi)
    system.shelf = deploy_contract(w3, build_info, "TransparentUpgradeableProxy", deployer, shelf_impl, timelock,
                                   shelf.encode_abi("initialize", []))
    from upgrader.chain.rpc import admin_of

    system.shelf_admin = admin_of(w3, system.shelf)
    if variant == "account-exec":  # the team makes its Safe a proposer, through the Timelock's admin
        tl = system.timelock_contract()
        for role in ("PROPOSER_ROLE", "CANCELLER_ROLE"):
            transact(w3, tl.functions.grantRole(getattr(tl.functions, role)().call(), safe), deployer)
    transact(w3, system.contract("Box", system.box).functions.store(5), accounts[5])
    transact(w3, system.contract("Shelf", system.shelf).functions.put(), accounts[5])
    return system


def _governor_in_front(system: System, accounts: list[str]) -> None:
    """Governor + ERC20Votes token; the Timelock's deployer grants the Governor its roles and
    renounces its own admin role (as OpenZeppelin's guide sets a Governor up)."""
    w3, info, oz = system.w3, system.build_info, system.oz
    gov_fqn, token_fqn = GOVERNOR_FQN[oz]
    holders = accounts[5:8]
    token = deploy_contract(w3, info, token_fqn, system.deployer, holders, [400, 300, 300])
    governor = deploy_contract(w3, info, gov_fqn, system.deployer, token, system.timelock)
    tl = system.timelock_contract()
    for role in ("PROPOSER_ROLE", "CANCELLER_ROLE", "EXECUTOR_ROLE"):
        transact(w3, tl.functions.grantRole(getattr(tl.functions, role)().call(), governor), system.deployer)
    transact(w3, tl.functions.renounceRole(tl.functions.DEFAULT_ADMIN_ROLE().call(), system.deployer), system.deployer)
    votes = system.contract(token_fqn, token)
    for h in holders:
        transact(w3, votes.functions.delegate(h), h)
    system.governor, system.token, system.holders = governor, token, holders


def env(root: Path, url: str) -> dict[str, str]:
    return {**os.environ, "UPGRADER_PROJECT": str(root), "UPGRADER_RPC_ANVIL": url, "COLUMNS": "200", "NO_COLOR": "1",
            "PATH": f"{ROOT / 'node_modules' / '.bin'}:{os.environ.get('PATH', '')}"}


def run(root: Path, url: str, *args: str) -> Any:
    from typer.testing import CliRunner

    from upgrader.cli.main import app

    return CliRunner().invoke(app, list(args), env=env(root, url), catch_exceptions=True)


def ok_json(result: Any) -> Any:
    import json

    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}\n{result.exception!r}"
    return json.loads(result.stdout)


def warp(w3: Any, seconds: int) -> None:
    """Time moves on the chain: the next block is ``seconds`` later."""
    w3.provider.make_request("evm_increaseTime", [seconds])
    w3.provider.make_request("evm_mine", [])


def mine(w3: Any, blocks: int) -> None:
    w3.provider.make_request("anvil_mine", [hex(blocks)])


def safe_execute(system: System, to: str, data: bytes) -> Any:
    """The Safe runs one call, its owners approving the hash on chain (Anvil's unlocked accounts)."""
    from upgrader.safe.tx import SafeTx
    from upgrader.sim.safe_exec import approve_and_execute, safe_contract

    nonce = safe_contract(system.w3, system.safe).functions.nonce().call()
    tx = SafeTx(to=to, value=0, data=data, operation=0, nonce=nonce)
    return approve_and_execute(system.w3, system.safe, tx, system.owners[:2])
