"""The local stack of a checkout: its Anvil chain and its Safe Transaction Service, started,
stopped, reported and reset together, plus any simulate fork this checkout left behind.

Ports come from ape-config.yaml: ``upgrader.networks.local.rpc`` (the chain, default 8545)
and ``upgrader.networks.local.local_service_port`` (the service, default 5555). State lives in
``.anvil/`` (out of git): ``state.json`` (the chain), ``tx-service.json`` (the proposals).

Any other network marked local (``local: true``, or one loopback ``rpc``: a team's own Anvil)
has a stack of its Safe service only, against that chain, with its state in
``.anvil/<network>/``; its chain is the team's to run.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from upgrader.chain import procs
from upgrader.errors import InputError
from upgrader.localstack import daemon
from upgrader.localstack.daemon import Component, Status

DEFAULT_CHAIN_PORT = 8545
DEFAULT_SERVICE_PORT = 5555
LOOPBACK = ("127.0.0.1", "localhost")
RESET_FIX = "run `upgrader node reset` (it forgets the local chain and its proposals)"


@dataclass(frozen=True)
class Stack:
    root: Path
    chain: Component
    service: Component
    deployments: Path  # deployments/<network>
    network: str = "local"

    @property
    def owns_chain(self) -> bool:
        """Only the checkout's own network `local` has its chain run by upgrader."""
        return self.network == "local"

    @property
    def components(self) -> tuple[Component, ...]:
        return (self.chain, self.service) if self.owns_chain else (self.service,)  # start order; stopped in reverse


def state_dir(root: Path) -> Path:
    return root / ".anvil"


def is_local(net: Any) -> bool:
    """A development chain: marked ``local: true``, or its one endpoint on this machine."""
    if getattr(net, "local", False) or net.name == "local":
        return True
    try:
        urls = net.rpc_urls()
    except InputError:
        return False
    return len(urls) == 1 and urlsplit(urls[0]).hostname in LOOPBACK


def local_ports(root: Path, network: str = "local") -> tuple[int, int, Path]:
    """(chain port, service port, deployments folder) of ``network`` in the checkout at ``root``."""
    from upgrader import config as project_config

    cfg = project_config.load(root)
    net = cfg.networks.get(network) if network == "local" else cfg.network(network)
    chain_port, service_port = DEFAULT_CHAIN_PORT, DEFAULT_SERVICE_PORT
    if net is not None:
        if not is_local(net):
            raise InputError(f"network {network!r} is not a local chain (its rpc is not on this machine); mark it "
                             f"`local: true` under {cfg._where('networks')} if it is a development chain")
        urls = net.rpc_urls()
        parts = urlsplit(urls[0])
        if len(urls) != 1 or parts.hostname not in LOOPBACK or parts.port is None:
            raise InputError(f"upgrader.networks.{network}.rpc is {net.rpc!r}; a local chain needs one http://127.0.0.1:<port>")
        chain_port = parts.port
        service_port = net.local_service_port or DEFAULT_SERVICE_PORT
    return chain_port, service_port, cfg.deployments / network


def stack(root: Path, network: str = "local") -> Stack:
    chain_port, service_port, deployments = local_ports(root, network)
    folder = (state_dir(root) if network == "local" else state_dir(root) / network).resolve()
    chain_url, service_url = f"http://127.0.0.1:{chain_port}", f"http://127.0.0.1:{service_port}"
    chain_state, service_state = folder / "state.json", folder / "tx-service.json"

    def chain_command() -> list[str]:
        from upgrader.chain.anvil import anvil_executable

        return [anvil_executable(root), "--host", "127.0.0.1", "--port", str(chain_port),
                "--state", str(chain_state), "--state-interval", "1"]

    def service_command() -> list[str]:
        return [sys.executable, "-m", "upgrader.safe_service.local.server", "--rpc", chain_url,
                "--port", str(service_port), "--state", str(service_state),
                "--manifest", str(deployments / "manifest.json")]

    def chain_answers() -> bool:
        from upgrader.chain.anvil import is_up

        return is_up(chain_url, timeout=1.0)

    def check_chain_state() -> None:
        if not chain_state.exists():
            return
        try:
            ok = isinstance(json.loads(chain_state.read_bytes()), dict)
        except (OSError, ValueError):
            ok = False
        if not ok:
            raise InputError(f"the local chain state {chain_state} is truncated or corrupt; {RESET_FIX}")

    def check_service_state() -> None:
        from upgrader.safe_service.local.server import check_state_file

        check_state_file(service_state)

    chain = Component("chain", "local chain", chain_port, chain_url, chain_state, folder / "anvil.pid",
                      folder / "anvil.log", chain_command, chain_answers, check_chain_state, f"upgrader.networks.{network}.rpc")
    service = Component("service", "local Safe Transaction Service", service_port, service_url, service_state,
                        folder / "tx-service.pid", folder / "tx-service.log", service_command,
                        lambda: _http_answers(service_url), check_service_state, f"upgrader.networks.{network}.local_service_port")
    return Stack(root, chain, service, deployments, network)


def _http_answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url + "/api/v1/about/", timeout=1.0).close()
        return True
    except urllib.error.HTTPError:  # any HTTP answer: something serves there
        return True
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One stack operation at a time per checkout (two `node start` must not race)."""
    folder = state_dir(root)
    folder.mkdir(exist_ok=True)
    with open(folder / ".lock", "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


@dataclass(frozen=True)
class StackReport:
    chain: Status
    service: Status
    forks: tuple[int, ...] = ()
    started: tuple[str, ...] = ()  # component names started by this call

    def to_json(self) -> dict[str, Any]:
        return {"chain": self.chain.to_json(), "service": self.service.to_json(), "forks": list(self.forks),
                "started": list(self.started)}


def start(root: Path, with_service: bool = True, network: str = "local") -> StackReport:
    s = stack(root, network)
    with _locked(root):
        for c in s.components if with_service else (s.chain,):  # a taken port or a corrupt state file
            st = daemon.status(c)                                 # stops us before anything starts
            if st.state == "foreign":
                raise daemon.refuse(st)
            if st.state == "stopped":
                c.check_state()
        if s.owns_chain:
            chain, new_chain = daemon.start(s.chain)
        elif not s.chain.answers():
            raise InputError(f"nothing answers on {s.chain.url} (network {network}); start your chain there first "
                             f"(e.g. `anvil --port {s.chain.port}`)")
        else:
            chain, new_chain = daemon.Status(s.chain, "running"), False
        service, new_service = daemon.start(s.service) if with_service else (daemon.status(s.service), False)
    started = tuple(n for n, new in (("chain", new_chain), ("service", new_service)) if new)
    return StackReport(chain, service, started=started)


def ensure_chain(root: Path) -> str:
    """The chain of this checkout answering on its port (started when it is not): what every
    command on network `local` relies on."""
    s = stack(root)
    st = daemon.status(s.chain)
    if st.state != "running":
        with _locked(root):
            st, _ = daemon.start(s.chain)
    return s.chain.url


def ensure_service(root: Path, network: str = "local") -> str:
    """The local Safe service of this checkout for ``network`` answering (for `local`, chain included)."""
    s = stack(root, network)
    if daemon.status(s.service).state != "running":
        start(root, network=network)
    return s.service.url


def local_service_url(network: Any) -> str:
    """The URL of this checkout's local Safe service for ``network`` (its `url: local`),
    started when down for a network marked local (for `local`, its chain too); when
    UPGRADER_RPC_<NAME> points the network elsewhere, nothing is started."""
    from upgrader.build.project import find_root

    root = find_root()
    if network.name == "local":
        return stack(root).service.url if os.environ.get("UPGRADER_RPC_LOCAL") else ensure_service(root)
    if not is_local(network):
        return stack(root).service.url
    from upgrader import config as project_config

    if network.name not in project_config.load(root).networks:  # a network made in code, not in the settings
        return f"http://127.0.0.1:{network.local_service_port or DEFAULT_SERVICE_PORT}"
    return ensure_service(root, network.name)


def forks_left(root: Path) -> list[int]:
    """Fork Anvils started by this checkout whose command is gone (normally none: a fork dies
    with its command on Linux). A fork still in use by a running `simulate` is not listed."""
    marker = str(root.resolve())
    left = []
    for pid in procs.with_env_marker(procs.FORK_MARKER, marker):
        if "--fork-url" not in (procs.cmdline(pid) or []):
            continue
        user = procs.env_value(pid, procs.FORK_PARENT)
        if user is None or procs.parent(pid) != int(user) or not procs.alive(int(user)):
            left.append(pid)
    return left


def status(root: Path, network: str = "local") -> StackReport:
    s = stack(root, network)
    chain = daemon.status(s.chain) if s.owns_chain else daemon.Status(s.chain, "running" if s.chain.answers() else "stopped")
    return StackReport(chain, daemon.status(s.service), tuple(forks_left(root)))


def stop(root: Path, network: str = "local") -> dict[str, Any]:
    """Stop the service, the chain (of `local` only) and any fork of this checkout; their state is kept."""
    s = stack(root, network)
    with _locked(root):
        result: dict[str, Any] = {c.name: daemon.stop(c) for c in reversed(s.components)}
        if not s.owns_chain:
            result["chain"] = "left alone (not upgrader's)"
        forks = forks_left(root)
        for pid in forks:
            procs.terminate(pid)
    result["forks"] = forks
    return result


def reset(root: Path) -> dict[str, Any]:
    """Stop everything, then forget the chain, the proposals and the local deployment records."""
    result = stop(root)
    s = stack(root)
    with _locked(root):
        for entry in state_dir(root).iterdir():
            if entry.name == ".lock":
                continue
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink(missing_ok=True)
        shutil.rmtree(s.deployments, ignore_errors=True)
    result["removed"] = [str(state_dir(root)), str(s.deployments)]
    return result
