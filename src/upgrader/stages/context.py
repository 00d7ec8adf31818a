"""What every on-chain command needs: the project config, a live connection to the
network, the manifest for that chain, and the current build."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from upgrader import config as project_config
from upgrader.chain.rpc import connect, pool_of
from upgrader.config import NetworkConfig, ProjectConfig
from upgrader.errors import InputError
from upgrader.manifest import Manifest, ManifestStore

if TYPE_CHECKING:
    from web3 import Web3


@dataclass
class NetworkContext:
    config: ProjectConfig
    network: NetworkConfig
    w3: "Web3"
    build: dict[str, Any] | None = None  # the build to use; None: the project's, compiled on first use

    @cached_property
    def store(self) -> ManifestStore:
        return ManifestStore(self.config.deployments, self.network.name)

    @cached_property
    def chain_id(self) -> int:
        return int(self.w3.eth.chain_id)

    def manifest(self) -> Manifest:
        return self.store.load(self.chain_id)

    def manifest_with_safe(self) -> Manifest:
        """The manifest, refused when its Safe has no code on this network (nothing could
        ever execute a plan for it): plan and simulate check this before they write."""
        from upgrader.chain.rpc import code_at

        manifest = self.manifest()
        if not code_at(self.w3, manifest.safe.address):
            raise InputError(f"the manifest's Safe {manifest.safe.address} has no code on {self.network.name} "
                             f"(chain {self.chain_id}); fix safe.address in {self.store.path}")
        return manifest

    @cached_property
    def build_info(self) -> dict[str, Any]:
        if self.build is not None:
            return self.build
        from upgrader.build.project import project_build_info

        return project_build_info(self.config.root)

    @property
    def fork_url(self) -> str:
        """The endpoint a local fork reads from: the pool's first healthy one."""
        pool = pool_of(self.w3)
        return pool.primary.url if pool is not None else rpc_urls(self.network)[0]

    @property
    def plans_dir(self):
        return self.store.folder / "plans"


def open_network(name: str = "local", config: ProjectConfig | None = None) -> NetworkContext:
    cfg = config or project_config.load()
    net = cfg.network(name)
    urls = rpc_urls(net)
    if name == "local" and name in cfg.networks and net.rpc == cfg.networks[name].rpc:
        from upgrader.localstack import ensure_chain

        ensure_chain(cfg.root)  # this checkout's local chain, started from its saved state
    return NetworkContext(config=cfg, network=net, w3=connect(urls, chain_id=net.chain_id))


def rpc_urls(net: NetworkConfig) -> list[str]:
    """The network's endpoints: ``rpc:`` is one URL or a list (UPGRADER_RPC_<NAME> may list
    several, comma-separated)."""
    return net.rpc_urls()
