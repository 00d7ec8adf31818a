"""The adoption fixture (its pytest fixtures are in conftest.py): a Foundry project
(tests/adopt/project) deployed on its own Anvil by
its own `forge script` (not by upgrader), every upgrade right handed to a 2-of-3 Safe made
from real Safe 1.4.1 bytecode, and an OpenZeppelin manifest for Counter written by
upgrades-core's own code. Nothing of upgrader's (manifest, settings) is written here."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PROJECT = Path(__file__).resolve().parent / "project"
V2 = Path(__file__).resolve().parent / "v2"
SOLC = Path.home() / ".solcx" / "solc-v0.8.28"
MNEMONIC = "test test test test test test test test test test test junk"  # Anvil's dev accounts
ANVIL_KEY0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"  # Anvil's dev account 0
OZ = {"openzeppelin-contracts": "contracts", "openzeppelin-contracts-upgradeable": "contracts-upgradeable",
      "openzeppelin-contracts-v4": "contracts-v4", "openzeppelin-contracts-upgradeable-v4": "contracts-upgradeable-v4"}


@dataclass
class Adopted:
    root: Path
    url: str
    w3: Any
    safe: str
    owners: list[str]
    multisend: str
    broadcast: Path
    oz_manifest: Path
    build_info: Path
    timings: dict[str, float] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return {**os.environ, "UPGRADER_PROJECT": str(self.root), "UPGRADER_RPC_ANVIL": self.url,
                "PATH": f"{ROOT / 'node_modules' / '.bin'}:{os.environ.get('PATH', '')}"}


def forge(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    environment = {**os.environ, **(env or {}), "FOUNDRY_SOLC": str(SOLC), "FOUNDRY_OFFLINE": "true"}
    proc = subprocess.run([str(ROOT / "node_modules" / ".bin" / "forge"), *args], cwd=root, env=environment,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc.stdout


def copy_project(dest: Path) -> Path:
    shutil.copytree(PROJECT, dest, ignore=shutil.ignore_patterns("lib", "out", "cache", "broadcast", ".openzeppelin", "deployments"))
    (dest / "lib").mkdir()
    for link, package in OZ.items():
        (dest / "lib" / link).symlink_to(ROOT / "node_modules" / "@openzeppelin" / package)
    return dest


def add_v2(root: Path) -> None:
    """The team writes its V2s (one per module, into src/v2) and points upgrader.toml at them."""
    shutil.copytree(V2, root / "src" / "v2", ignore=shutil.ignore_patterns("*.toml"))
    shutil.copy(V2 / "upgrader.toml", root / "upgrader.toml")


def deploy(root: Path, node: Any) -> Adopted:
    """Safe from Python, then the team's own `forge script`, some use, and OZ's manifest for Counter."""
    from eth_utils import to_checksum_address

    from upgrader.chain.rpc import connect
    from upgrader.deploy.safe import create_safe, deploy_infrastructure

    w3 = connect(node.url)
    accounts = [to_checksum_address(a) for a in w3.eth.accounts]
    owners = sorted(accounts[1:4], key=lambda a: int(a, 16))
    infra = deploy_infrastructure(w3, accounts[0])
    safe = create_safe(w3, accounts[0], infra, owners, threshold=2)
    timings = {}
    t = time.monotonic()
    forge(root, "script", "script/Deploy.s.sol", "--rpc-url", node.url, "--broadcast", "--private-key", ANVIL_KEY0,
          env={"SAFE": safe})
    timings["forge_script_s"] = time.monotonic() - t
    forge(root, "build", "--build-info")
    (info,) = sorted((root / "out" / "build-info").glob("*.json"))
    broadcast = root / "broadcast" / "Deploy.s.sol" / str(w3.eth.chain_id) / "run-latest.json"
    use_the_system(w3, broadcast, accounts)
    oz = write_oz_manifest(root, info, broadcast, "src/v1/Counter.sol:Counter", "uups")
    return Adopted(root, node.url, w3, safe, owners, infra.multisend_call_only, broadcast, oz, info, timings)


def use_the_system(w3: Any, broadcast: Path, accounts: list[str]) -> None:
    """Some state in every proxy before the upgrade: bumps, uses, deposits."""
    from eth_abi import encode

    from upgrader.chain.rpc import send
    from upgrader.keccak import keccak

    def call(to: str, sig: str, *args: Any, types: list[str] = ()) -> None:
        data = keccak(sig.encode())[:4] + encode(list(types), list(args))
        send(w3, {"from": accounts[5], "to": to, "data": "0x" + data.hex()})

    proxies = [a for n, a, _ in created(broadcast) if n.endswith("Proxy")]
    counter, vault, item1, item2, legacy, registry = (w3.to_checksum_address(a) for a in proxies)
    call(registry, "register(bytes32,address)", b"k" * 32, accounts[6], types=["bytes32", "address"])
    for _ in range(3):
        call(legacy, "bump()")
        call(vault, "deposit(uint256)", 100, types=["uint256"])
    call(item1, "use()")
    call(item2, "use()")
    call(counter, "bump()")


def created(broadcast: Path) -> list[tuple[str, str, str]]:
    """(contractName, address, tx hash) of every contract the script created."""
    data = json.loads(broadcast.read_text())
    return [(t["contractName"], t["contractAddress"], t["hash"]) for t in data["transactions"] if t.get("transactionType") == "CREATE"]


def write_oz_manifest(root: Path, build_info: Path, broadcast: Path, fqn: str, kind: str) -> Path:
    made = created(broadcast)
    name = fqn.rsplit(":", 1)[1]
    impl_i = next(i for i, (n, _, _) in enumerate(made) if n == name)
    from eth_utils import to_checksum_address

    impl, proxy, tx = to_checksum_address(made[impl_i][1]), to_checksum_address(made[impl_i + 1][1]), made[impl_i + 1][2]
    proc = subprocess.run(["node", str(Path(__file__).parent / "oz_manifest.js"), str(build_info), fqn, "31337", impl, proxy, kind, tx],
                          cwd=root, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    return root / proc.stdout.strip()


def run(adopted: Any, *args: str) -> Any:
    from typer.testing import CliRunner

    from upgrader.cli.main import app

    env = {**adopted.env(), "COLUMNS": "200", "NO_COLOR": "1"}
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=True)


def ok_json(result: Any) -> Any:
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}\n{result.exception!r}"
    return json.loads(result.stdout)


def owner_keys(owners: list[str]) -> list[Any]:
    from eth_account import Account

    Account.enable_unaudited_hdwallet_features()
    accounts = [Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(10)]
    return sorted((a for a in accounts if a.address in owners), key=lambda a: int(a.address, 16))
