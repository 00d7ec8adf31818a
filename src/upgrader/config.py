"""upgrader's section of ape-config.yaml: networks and per-module upgrade declarations."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from upgrader.build.project import find_root, load_config
from upgrader.errors import InputError


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple[Any, ...] = ()
    expect: Any = None


@dataclass(frozen=True)
class ModuleConfig:
    name: str
    initial: str
    target: str
    reinitializer: Call | None = None
    smoke: tuple[Call, ...] = ()


@dataclass(frozen=True)
class NetworkConfig:
    name: str
    rpc: str
    chain_id: int | None = None
    tx_service: str | None = None  # "local", a URL, or None


@dataclass(frozen=True)
class ProjectConfig:
    root: Path
    networks: dict[str, NetworkConfig]
    modules: dict[str, ModuleConfig] = field(default_factory=dict)
    deployments: Path = Path("deployments")

    def network(self, name: str) -> NetworkConfig:
        if name not in self.networks:
            known = ", ".join(sorted(self.networks)) or "none"
            raise InputError(f"unknown network {name!r} (known: {known}); add it under upgrader.networks in ape-config.yaml")
        net = self.networks[name]
        override = os.environ.get(f"UPGRADER_RPC_{name.upper()}")
        return NetworkConfig(net.name, override, net.chain_id, net.tx_service) if override else net


def _call(data: Any, where: str) -> Call:
    if not isinstance(data, dict) or "function" not in data:
        raise InputError(f"ape-config.yaml {where}: expected {{function: NAME, args: [...]}}")
    return Call(str(data["function"]), tuple(data.get("args") or ()), data.get("expect"))


def load(root: Path | None = None) -> ProjectConfig:
    root = root or find_root()
    section = load_config(root).get("upgrader") or {}
    networks = {
        name: NetworkConfig(name, str(n["rpc"]), n.get("chain_id"), n.get("tx_service"))
        for name, n in (section.get("networks") or {}).items()
    }
    modules = {}
    for name, m in (section.get("modules") or {}).items():
        if "initial" not in m:
            raise InputError(f"ape-config.yaml upgrader.modules.{name}: set `initial` (the contract first deployed)")
        modules[name] = ModuleConfig(
            name=name,
            initial=m["initial"],
            target=m.get("target", m["initial"]),
            reinitializer=_call(m["reinitializer"], f"upgrader.modules.{name}.reinitializer") if m.get("reinitializer") else None,
            smoke=tuple(_call(s, f"upgrader.modules.{name}.smoke") for s in m.get("smoke") or ()),
        )
    deployments = Path(os.environ.get("UPGRADER_DEPLOYMENTS") or root / "deployments")
    return ProjectConfig(root=root, networks=networks, modules=modules, deployments=deployments)
