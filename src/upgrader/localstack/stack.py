"""The local stack of a checkout: its Anvil chain and its Safe Transaction Service, started,
stopped, reported and reset together, plus any simulate fork this checkout left behind.

Ports come from ape-config.yaml: ``upgrader.networks.local.rpc`` (the chain, default 8545)
and ``upgrader.networks.local.local_service_port`` (the service, default 5555). State lives in
``.anvil/`` (out of git): ``state.json`` (the chain), ``tx-service.json`` (the proposals).
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
    deployments: Path  # deployments/local

    @property
    def components(self) -> tuple[Component, ...]:
        return (self.chain, self.service)  # start order; stopped in reverse


def state_dir(root: Path) -> Path:
    return root / ".anvil"


def local_ports(root: Path) -> tuple[int, int, Path]:
    """(chain port, service port, deployments folder) of the checkout at ``root``."""
    from upgrader import config as project_config

    cfg = project_config.load(root)
    net = cfg.networks.get("local")
    chain_port, service_port = DEFAULT_CHAIN_PORT, DEFAULT_SERVICE_PORT
    if net is not None:
        urls = net.rpc_urls()
        parts = urlsplit(urls[0])
        if len(urls) != 1 or parts.hostname not in LOOPBACK or parts.port is None:
            raise InputError(f"upgrader.networks.local.rpc is {net.rpc!r}; the local chain needs one http://127.0.0.1:<port>")
        chain_port = parts.port
        service_port = net.local_service_port or DEFAULT_SERVICE_PORT
    return chain_port, service_port, cfg.deployments / "local"


def stack(root: Path) -> Stack:
    chain_port, service_port, deployments = local_ports(root)
    folder = state_dir(root).resolve()
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
                      folder / "anvil.log", chain_command, chain_answers, check_chain_state, "upgrader.networks.local.rpc")
    service = Component("service", "local Safe Transaction Service", service_port, service_url, service_state,
                        folder / "tx-service.pid", folder / "tx-service.log", service_command,
                        lambda: _http_answers(service_url), check_service_state, "upgrader.networks.local.local_service_port")
    return Stack(root, chain, service, deployments)


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


def start(root: Path, with_service: bool = True) -> StackReport:
    s = stack(root)
    with _locked(root):
        for c in s.components if with_service else (s.chain,):  # a taken port or a corrupt state file
            st = daemon.status(c)                                 # stops us before anything starts
            if st.state == "foreign":
                raise daemon.refuse(st)
            if st.state == "stopped":
                c.check_state()
        chain, new_chain = daemon.start(s.chain)
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


def ensure_service(root: Path) -> str:
    """The local Safe service of this checkout answering (chain included)."""
    s = stack(root)
    if daemon.status(s.service).state != "running":
        start(root)
    return s.service.url


def local_service_url(network: Any) -> str:
    """The URL of this checkout's local Safe service for ``network`` (its `url: local`). For
    the checkout's own network `local` the service is started (chain included) when down;
    when UPGRADER_RPC_<NAME> points the network elsewhere, nothing is started."""
    from upgrader.build.project import find_root

    root = find_root()
    if network.name != "local" or os.environ.get(f"UPGRADER_RPC_{network.name.upper()}"):
        return stack(root).service.url
    return ensure_service(root)


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


def status(root: Path) -> StackReport:
    s = stack(root)
    return StackReport(daemon.status(s.chain), daemon.status(s.service), tuple(forks_left(root)))


def stop(root: Path) -> dict[str, Any]:
    """Stop the service, the chain and any fork of this checkout; their state is kept."""
    s = stack(root)
    with _locked(root):
        result: dict[str, Any] = {c.name: daemon.stop(c) for c in reversed(s.components)}
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
