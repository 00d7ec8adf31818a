"""Where ``upgrader import`` learns which proxies exist: ``--proxy Name=0xADDR`` pairs, a
forge broadcast file (``broadcast/<script>/<chainId>/run-latest.json``), or an OpenZeppelin
Upgrades manifest (``.openzeppelin/<network>.json``, read in ``ozmanifest``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import is_hex_address, to_checksum_address

from upgrader.errors import InputError

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Candidate:
    """An address that may be a proxy; ``name`` None: named after the contract it runs."""

    address: str
    name: str | None = None
    deploy_tx: str | None = None
    deploy_block: int | None = None
    required: bool = True  # False: a broadcast's contract that may not be a proxy at all
    contract_name: str | None = None  # the proxy's own contract, as a forge broadcast names it


def parse_address(text: str, where: str) -> str:
    if not isinstance(text, str) or not is_hex_address(text):
        raise InputError(f"{where}: {text!r} is not an address (0x + 40 hex digits)")
    return to_checksum_address(text)


def from_pairs(pairs: list[str]) -> list[Candidate]:
    out = []
    for pair in pairs:
        name, sep, address = pair.partition("=")
        if not sep or not NAME.match(name.strip()):
            raise InputError(f"--proxy {pair!r}: expected Name=0xADDRESS, e.g. --proxy Vault=0x5FbDB2315678afecb367f032d93F642f64180aa3")
        out.append(Candidate(parse_address(address.strip(), f"--proxy {name}"), name.strip()))
    return out


def from_settings(modules: dict[str, Any]) -> list[Candidate]:
    """The proxies the settings name (``[modules.Vault] proxy = "0x…"``)."""
    return [Candidate(parse_address(m.proxy, f"modules.{name}.proxy"), name) for name, m in modules.items() if m.proxy]


def read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise InputError(f"no {what} at {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{what} {path} is unreadable ({type(exc).__name__}); pass the file forge/hardhat wrote") from None


def from_forge_broadcast(path: Path, chain_id: int) -> list[Candidate]:
    """Every contract the script created (CREATE/CREATE2, top level and nested); which of them
    are proxies is read from the chain."""
    data = read_json(path, "forge broadcast file")
    if not isinstance(data, dict) or not isinstance(data.get("transactions"), list):
        raise InputError(f"{path} is not a forge broadcast file (no transactions); pass broadcast/<script>/<chainId>/run-latest.json")
    chain = data.get("chain")
    if chain is not None and int(chain) != chain_id:
        raise InputError(f"{path} was broadcast to chain {chain}, the node is chain {chain_id}; use the right --network")
    blocks = {}
    for receipt in data.get("receipts") or []:
        if isinstance(receipt, dict) and receipt.get("transactionHash"):
            blocks[receipt["transactionHash"].lower()] = int(str(receipt.get("blockNumber", "0")), 0)
    out: list[Candidate] = []
    for tx in data["transactions"]:
        if not isinstance(tx, dict):
            continue
        created: list[tuple[Any, Any]] = []
        if tx.get("transactionType") in ("CREATE", "CREATE2") and tx.get("contractAddress"):
            created.append((tx["contractAddress"], tx.get("contractName")))
        created += [(a.get("address"), a.get("contractName")) for a in tx.get("additionalContracts") or [] if isinstance(a, dict)]
        h = tx.get("hash")
        for address, contract in created:
            if isinstance(address, str) and is_hex_address(address):
                out.append(Candidate(to_checksum_address(address), None, h, blocks.get(str(h).lower()), required=False,
                                     contract_name=contract if isinstance(contract, str) else None))
    if not out:
        raise InputError(f"{path} creates no contracts; pass the broadcast of the script that deployed the proxies")
    return out
