"""The module name ``upgrader import`` gives a proxy. A module is named after the proxy, not
after the first contract it ran (a proxy keeps its name while it runs V2, V3...):

1. the name given with ``--proxy Name=0x…``;
2. the settings' module whose ``proxy`` is this proxy (``[modules.Vault] proxy = "0x…"``);
3. the settings' module whose ``initial`` is the contract it runs;
4. the proxy's own contract name in a forge broadcast, when it is not one of OpenZeppelin's
   generic proxies (``VaultProxy`` -> ``Vault``);
5. the contract it runs without its version marks (``VaultV1``, ``BoxUpgradeable``,
   ``CounterImpl`` -> ``Vault``, ``Box``, ``Counter``).
A name already taken gets a number (``Vault2``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

GENERIC_PROXIES = frozenset({
    "ERC1967Proxy", "TransparentUpgradeableProxy", "BeaconProxy", "UpgradeableBeacon", "Proxy", "UUPSProxy",
    "ERC1967ProxyV4", "TransparentProxyV4", "SafeProxy",
})
_VERSION_MARK = re.compile(r"(?:_?[Vv]\d+(?:_\d+)*|Upgradeable|Implementation|Impl|Logic)$")


def stripped(contract: str) -> str:
    name = contract
    while (shorter := _VERSION_MARK.sub("", name)) != name and shorter:
        name = shorter
    return name or contract


def from_proxy_contract(contract_name: str | None) -> str | None:
    if not contract_name or contract_name in GENERIC_PROXIES:
        return None
    base = contract_name.removesuffix("Proxy")
    return base if base and base != contract_name else None


def module_name(given: str | None, addresses: Iterable[str], runs: str, modules: Mapping[str, Any],
                proxy_contract: str | None, taken: set[str]) -> str:
    """``addresses``: the proxy (and, for a beacon, its beacon and every proxy of it)."""
    if given:
        return given
    mine = {a.lower() for a in addresses}
    for name, module in modules.items():
        if module.proxy and module.proxy.lower() in mine:
            return name
    for name, module in modules.items():
        if module.initial == runs and name not in taken:
            return name
    return free(from_proxy_contract(proxy_contract) or stripped(runs), taken)


def free(base: str, taken: set[str]) -> str:
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    return name


def add_to_settings(settings: Any, proxies: Iterable[tuple[str, str]]) -> list[str]:
    """Append ``[modules.<name>] proxy = "0x…"`` to upgrader.toml for each imported proxy the
    settings do not name yet (status and plan look modules up by name); returns what it said.
    ape-config.yaml is left alone: the note says what to add."""
    import tomllib
    from pathlib import Path

    missing = [(n, a) for n, a in proxies if n not in settings.modules]
    if not missing:
        return []
    path = Path(settings.root) / "upgrader.toml"
    entries = "".join(f'\n[modules.{n}]\nproxy = "{a}"\n' for n, a in missing)
    names = ", ".join(n for n, _ in missing)
    if not settings.source.startswith("upgrader.toml") or not path.is_file():
        return [f"add the modules {names} to the upgrader settings (e.g. {entries.strip().splitlines()[0]} proxy = ...)"]
    text = path.read_text()
    updated = text + ("" if text.endswith("\n") else "\n") + entries
    try:
        tomllib.loads(updated)
    except tomllib.TOMLDecodeError:
        return [f"add the modules {names} to {path} ([modules.<name>] proxy = \"0x…\"): appending them would break its TOML"]
    path.write_text(updated)
    return [f"added [modules.{n}] (proxy {a}) to upgrader.toml (to rename it, change the name there and run `upgrader import --force`)" for n, a in missing]
