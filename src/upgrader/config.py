"""upgrader's own settings: networks it may act on and per-module upgrade declarations.

One schema, one loader. The settings live in ``ape-config.yaml``'s ``upgrader:`` section for
an ape project, or in ``upgrader.toml`` (same keys, at the top level) beside ``foundry.toml``
or ``hardhat.config.*``. Every class below is both the runtime object and the schema: a
pydantic dataclass that forbids unknown keys, so adding a setting is one annotated field line.
Keys named by the file's mapping (a network's or module's ``name``) and the project ``root``
are filled in by the loader, never read from the file.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import field
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError
from pydantic.dataclasses import dataclass

from upgrader.build.project import find_root, load_config
from upgrader.errors import InputError

_STRICT = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
TOML_FILE = "upgrader.toml"
APE_FILE = "ape-config.yaml"


@dataclass(frozen=True, config=_STRICT)
class Call:
    function: str
    args: tuple[Any, ...] = ()
    expect: Any = None


@dataclass(frozen=True, config=_STRICT)
class Reinitializer:
    function: str
    args: tuple[Any, ...] = ()
    # the existing state it may change, as the layout names it (`_roles`, ERC-7201 members as
    # `Namespace.member`); any other write to existing state fails `simulate` and `review --simulate`
    changes: tuple[str, ...] = ()
    # reinitializers of the target this upgrade leaves out on purpose (function names): the version
    # passes them, so they can never run; any other one skipped fails the incomplete-reinitialization probe
    skips: tuple[str, ...] = ()
    # new variables left at zero on purpose although the code reads them in a condition
    # (else left-unset-after-upgrade), named as `changes` names them
    unset: tuple[str, ...] = ()


@dataclass(frozen=True, config=_STRICT)
class ModuleFuzz:
    """``[modules.X.fuzz]``: what `upgrader fuzz` may find different after the upgrade."""

    changed: tuple[str, ...] = ()  # signatures whose results V2 changes on purpose, e.g. "fee()"


@dataclass(frozen=True, config=_STRICT)
class ModuleConfig:
    """A module is named freely; ``proxy`` binds the name to a proxy for ``upgrader import``.
    With neither ``target`` nor ``initial`` the module stays on the contract it runs."""

    name: str
    initial: str = ""  # the first contract (what `ape run deploy` deploys); optional for an adopted proxy
    target: str = ""  # defaults to `initial`, else to the contract the proxy runs
    proxy: str | None = None  # the proxy's address (``upgrader import`` names it after this module)
    reinitializer: Reinitializer | None = None
    smoke: tuple[Call, ...] = ()
    constructor_args: tuple[Any, ...] = ()  # ABI-encoded after the target's init code (immutables)
    fuzz: ModuleFuzz = ModuleFuzz()
    # validation kinds this module's target may have (OpenZeppelin's names, as `--unsafe-allow`):
    # recorded in the plan (covered by its hash), and what review's checker-rejects honours
    unsafe_allow: tuple[str, ...] = ()
    # new variables left at zero on purpose although the code reads them in a condition (else
    # left-unset-after-upgrade), as `reinitializer.unset` says for an upgrade that runs one
    unset: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.target:
            object.__setattr__(self, "target", self.initial)


@dataclass(frozen=True, config=_STRICT)
class SafeApiConfig:
    """Which Safe service the network uses (``stages.safe_api``): the Transaction Service (the
    default, what Safe's apps use) or the Queue Service (opt-in); ``url`` None means Safe's
    public URL for the chain."""

    kind: Literal["queue", "tx-service"] = "tx-service"
    url: str | None = None  # an http(s) URL, or "local" (the bundled local service)


@dataclass(frozen=True, config=_STRICT)
class NetworkConfig:
    name: str
    rpc: str | tuple[str, ...] | None = None  # one URL or a list (reads fail over in that order)
    chain_id: int | None = None
    tx_service: str | None = None  # the old key: a Transaction Service URL or "local"
    safe_api: SafeApiConfig | None = None
    local_service_port: Annotated[int, Field(ge=1, le=65535)] | None = None  # `url: local`: the bundled service's port (5555)
    local: bool = False  # a development chain: `upgrader node start --network <name>` runs its Safe service (also when rpc is loopback)

    def rpc_urls(self) -> list[str]:
        """The endpoints; a network without any is an input error when it is used (not when
        the file is read, so other networks keep working)."""
        items = self.rpc.split(",") if isinstance(self.rpc, str) else list(self.rpc or ())
        urls = [u.strip() for u in items if u and u.strip()]
        if not urls:
            raise InputError(f"network {self.name!r} has no `rpc:`; set its URL (or a list of URLs) under "
                             f"upgrader.networks.{self.name} or in UPGRADER_RPC_{self.name.upper()}")
        return urls


@dataclass(frozen=True, config=_STRICT)
class FuzzConfig:
    """``[fuzz]``: defaults of `upgrader fuzz` and the team's invariants."""

    invariants: str | None = None  # a Python file (relative to the project) of @upgrader.fuzz.invariant functions
    examples: Annotated[int, Field(ge=1)] = 1000
    steps: Annotated[int, Field(ge=1, le=500)] = 20  # calls per example, at most
    actors: Annotated[int, Field(ge=1, le=32)] = 2  # funded fresh senders, besides the accounts the system knows


@dataclass(frozen=True, config=_STRICT)
class ProjectConfig:
    root: Path
    networks: dict[str, NetworkConfig] = field(default_factory=dict)
    modules: dict[str, ModuleConfig] = field(default_factory=dict)
    fuzz: FuzzConfig = FuzzConfig()
    deployments: Path = Path("deployments")
    source: str = APE_FILE  # where the settings were read ("ape-config.yaml upgrader" / "upgrader.toml")

    def network(self, name: str) -> NetworkConfig:
        if name not in self.networks:
            known = ", ".join(sorted(self.networks)) or "none"
            raise InputError(f"unknown network {name!r} (known: {known}); add it under {self._where('networks')}")
        net = self.networks[name]
        override = os.environ.get(f"UPGRADER_RPC_{name.upper()}")
        return dataclasses.replace(net, rpc=override) if override else net

    def _where(self, key: str) -> str:
        return f"upgrader.{key} in {APE_FILE}" if self.source.startswith(APE_FILE) else f"[{key}] in {TOML_FILE}"


# Keys the loader fills in; a file that sets them is refused like any unknown key.
_NAMED = ("networks", "modules")
_FILLED = ("root", "source")


def read_section(root: Path) -> tuple[dict[str, Any], str]:
    """The raw settings mapping and a label of where it came from."""
    toml = root / TOML_FILE
    if (root / APE_FILE).is_file():
        section = load_config(root).get("upgrader")
        if section is not None and toml.is_file():
            raise InputError(f"upgrader settings are in both {APE_FILE} (upgrader:) and {TOML_FILE}; keep one")
        if section is not None or not toml.is_file():
            if section is not None and not isinstance(section, dict):
                raise InputError(f"{APE_FILE} upgrader: expected a mapping of settings")
            return dict(section or {}), f"{APE_FILE} upgrader"
    if not toml.is_file():
        return {}, TOML_FILE
    import tomllib

    try:
        return tomllib.loads(toml.read_text()), TOML_FILE
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read {toml}: {exc}") from None


def load(root: Path | None = None) -> ProjectConfig:
    root = root or find_root()
    section, where = read_section(root)
    data = _with_names(section, where)
    data["root"] = root
    data["source"] = where
    env_deployments = os.environ.get("UPGRADER_DEPLOYMENTS")
    data["deployments"] = Path(env_deployments) if env_deployments else root / str(data.get("deployments", "deployments"))
    try:
        return _schema().validate_python(data)
    except ValidationError as exc:
        raise InputError(_one_line(exc, where)) from None


@cache
def _schema() -> TypeAdapter[ProjectConfig]:
    return TypeAdapter(ProjectConfig)


def _with_names(section: dict[str, Any], where: str) -> dict[str, Any]:
    data = dict(section)
    for key in _FILLED:
        if key in data:
            raise InputError(f"{where}: unknown key {key!r}; remove it")
    for group in _NAMED:
        entries = data.get(group)
        if entries is None:
            data.pop(group, None)
            continue
        if not isinstance(entries, dict):
            raise InputError(f"{_at(where, group)}: expected a mapping of name -> settings")
        named = {}
        for name, entry in entries.items():
            if not isinstance(entry, dict):
                raise InputError(f"{_at(where, group, str(name))}: expected a mapping of settings")
            if "name" in entry:
                raise InputError(f"{_at(where, group, str(name))}: unknown key 'name' (the entry's key is its name); remove it")
            named[name] = {**entry, "name": str(name)}
        data[group] = named
    return data


def _one_line(exc: ValidationError, where: str) -> str:
    errors = exc.errors()
    first = errors[0]
    *path, last = [str(p) for p in first["loc"]] or ["?"]
    at = _at(where, *path)
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    match first["type"]:
        case "unexpected_keyword_argument" | "extra_forbidden":
            return f"{at}: unknown key {last!r}; check its spelling or remove it{more}"
        case "missing" | "missing_argument":
            return f"{at}: missing key {last!r}{more}"
        case _:
            return f"{_at(where, *path, last)}: {first['msg']}{more}"


def _at(where: str, *path: str) -> str:
    """`ape-config.yaml upgrader.networks.local` / `upgrader.toml networks.local`."""
    if not path:
        return where
    return f"{where}.{'.'.join(path)}" if where.endswith("upgrader") else f"{where} {'.'.join(path)}"
