"""Decoding a Safe transaction for a signer: every call (nested MultiSend included) with the
project's ABIs, every known address named, CREATE2 deployments matched against the build.

``AddressBook`` knows who is who (our proxies and implementations, the Safe, Safe
infrastructure, the CREATE2 deployer, the build's CREATE2 addresses); ``Decoder`` turns a
``Call`` into a ``CallNode`` tree that the rules and the renderers read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_abi import decode as abi_decode

from upgrader.build.artifacts import Artifact, all_artifacts
from upgrader.chain import create2
from upgrader.proxies import abi as proxy_abi
from upgrader.proxies import kind_of
from upgrader.safe._values import checksum_address as to_checksum_address
from upgrader.safe.abi_values import canonical_type, selector, signature
from upgrader.safe.addresses import CREATE2_DEPLOYER, lookup
from upgrader.safe.multisend import Call, decode_multisend, is_multisend_calldata

# The Safe's own functions a batch could call on it; all of them change how it is governed.
SAFE_SETTINGS_ABI: list[dict[str, Any]] = [
    {"type": "function", "name": name, "inputs": [{"name": n, "type": t} for n, t in inputs]}
    for name, inputs in [
        ("addOwnerWithThreshold", [("owner", "address"), ("_threshold", "uint256")]),
        ("removeOwner", [("prevOwner", "address"), ("owner", "address"), ("_threshold", "uint256")]),
        ("swapOwner", [("prevOwner", "address"), ("oldOwner", "address"), ("newOwner", "address")]),
        ("changeThreshold", [("_threshold", "uint256")]),
        ("enableModule", [("module", "address")]),
        ("disableModule", [("prevModule", "address"), ("module", "address")]),
        ("setGuard", [("guard", "address")]),
        ("setModuleGuard", [("moduleGuard", "address")]),
        ("setFallbackHandler", [("handler", "address")]),
    ]
]
SAFE_SETTINGS_FUNCTIONS = frozenset(f["name"] for f in SAFE_SETTINGS_ABI)
UPGRADE_FUNCTIONS = frozenset({"upgradeToAndCall", "upgradeTo", "upgrade", "upgradeAndCall"})
# Contracts that upgrade proxies on their behalf, decoded with OpenZeppelin's ABIs.
UPGRADER_CONTRACTS = {"ProxyAdmin": proxy_abi.PROXY_ADMIN_ABI, "UpgradeableBeacon": proxy_abi.BEACON_ABI}
MAX_DEPTH = 8


@dataclass(frozen=True)
class Deployment:
    """A CREATE2 deployment made by a call: where, and which build contract (None: unknown code)."""

    address: str
    artifact: Artifact | None
    salt: bytes
    initcode_size: int


@dataclass
class CallNode:
    """One decoded call. ``calls`` holds the inner calls of a MultiSend batch."""

    path: str
    call: Call
    to_name: str | None
    contract: str | None = None  # whose ABI decoded it
    function: str | None = None
    signature: str | None = None
    args: list[dict[str, Any]] = field(default_factory=list)
    deploy: Deployment | None = None
    calls: list["CallNode"] | None = None
    error: str | None = None

    @property
    def is_batch(self) -> bool:
        return self.calls is not None

    def walk(self) -> list["CallNode"]:
        return [self] + [n for c in self.calls or [] for n in c.walk()]

    def arg(self, name: str) -> Any:
        return next((a["value"] for a in self.args if a["name"] == name), None)

    def summary(self) -> str:
        if self.deploy is not None:
            what = self.deploy.artifact.name if self.deploy.artifact else f"UNKNOWN code ({self.deploy.initcode_size} bytes)"
            return f"deploy {what} at {self.deploy.address}"
        if self.is_batch and self.function == "multiSend":
            return f"multiSend({len(self.calls or [])} calls)"
        if self.function is None:
            data = self.call.data
            if not data:
                return f"send {self.call.value} wei" if self.call.value else "empty call"
            return f"unknown function 0x{data[:4].hex()} ({len(data)} bytes)"
        who = f"{self.contract}." if self.contract else ""
        return f"{who}{self.function}({', '.join(_show_arg(a) for a in self.args)})"

    def to_json(self) -> dict[str, Any]:
        c = self.call
        out: dict[str, Any] = {
            "path": self.path, "to": c.to, "to_name": self.to_name, "value": str(c.value),
            "operation": c.operation, "operation_name": "DELEGATECALL" if c.operation else "CALL",
            "data": "0x" + c.data.hex(), "selector": "0x" + c.data[:4].hex() if len(c.data) >= 4 and self.deploy is None else None,
            "contract": self.contract, "function": self.function, "signature": self.signature,
            "args": [_arg_json(a) for a in self.args], "summary": self.summary(), "error": self.error,
            "deploy": None, "calls": [n.to_json() for n in self.calls] if self.calls is not None else None,
        }
        if self.deploy is not None:
            d = self.deploy
            out["deploy"] = {"address": d.address, "contract": d.artifact.fqn if d.artifact else None,
                             "salt": "0x" + d.salt.hex(), "initcode_size": d.initcode_size}
        return out


def _show_arg(arg: dict[str, Any]) -> str:
    if arg.get("decoded") is not None:
        return arg["decoded"].summary()
    text = _plain(arg["value"])
    if len(text) > 66:
        text = text[:66] + f"…({(len(text) - 2) // 2} bytes)"
    return f"{text} ({arg['name_of']})" if arg.get("name_of") else text


def _plain(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    return str(value)


def _arg_json(arg: dict[str, Any]) -> dict[str, Any]:
    out = {"name": arg["name"], "type": arg["type"], "value": _jsonable(arg["value"]), "name_of": arg.get("name_of")}
    if arg.get("decoded") is not None:
        out["decoded"] = arg["decoded"].to_json()
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


class AddressBook:
    """Names for addresses and the build contract (if any) behind each."""

    def __init__(self, manifest: Any = None, artifacts: list[Artifact] = (), safe: str | None = None,
                 constructed: list[tuple[str, bytes]] = ()) -> None:
        self.names: dict[str, str] = {}
        self.contract_of: dict[str, Artifact] = {}  # address -> the ABI to decode calls to it with
        self.proxies: dict[str, Any] = {}  # address -> ProxyRecord
        self.recorded_impls: dict[str, Any] = {}  # address -> Implementation record
        self.built: dict[str, Artifact] = {}  # CREATE2 address of a build contract -> it
        self.initcode: dict[str, bytes] = {}  # that address -> the init code (constructor arguments included)
        self.upgraders: dict[str, list[Any]] = {}  # ProxyAdmin / beacon address -> the ProxyRecords it upgrades
        self.governance: set[str] = set()  # the manifest's Timelock and Governor (stages.review.governed)
        by_fqn = {a.fqn: a for a in artifacts}
        for art in artifacts:
            if art.initcode and art.runtime:
                address = create2.address_of(art.initcode)
                self.built[address], self.initcode[address] = art, art.initcode
                self._add(address, f"{art.name} (build, CREATE2)", art)
        for fqn, args in constructed:  # deployed with constructor arguments (a plan's, a module's)
            art = by_fqn.get(fqn) or next((a for a in artifacts if a.name == fqn), None)
            if art is not None and art.initcode and args:
                address = create2.address_of(art.initcode + args)
                self.built[address], self.initcode[address] = art, art.initcode + args
                self._add(address, f"{art.name} (build, CREATE2, constructor arguments 0x{args.hex()})", art)
        self.safe = to_checksum_address(safe) if safe else None
        if manifest is not None:
            s = manifest.safe
            self.safe = self.safe or to_checksum_address(s.address)
            for label, address in (("MultiSendCallOnly of the Safe", s.multisend_call_only),
                                   ("Safe singleton", s.singleton), ("Safe proxy factory", s.proxy_factory)):
                if address:
                    self._add(address, label)
            for key, address in manifest.extras.items():
                if isinstance(address, str) and address.startswith("0x"):
                    self._add(address, key)
            for p in manifest.proxies:
                impl = p.implementation
                self.recorded_impls[to_checksum_address(impl.address)] = impl
                short = impl.contract.rsplit(":", 1)[-1]
                self._add(impl.address, f"{short} implementation (deployed)", by_fqn.get(impl.contract))
                self.proxies[to_checksum_address(p.address)] = p
                self._add(p.address, f"{p.name} proxy", by_fqn.get(impl.contract))
                self._add_upgraders(p, by_fqn.get(impl.contract))
            from upgrader.stages.review.governed import contracts as governed_contracts

            for address, name, art in governed_contracts(manifest):  # decoded with OpenZeppelin's ABIs
                self.governance.add(to_checksum_address(address))
                self._add(address, name, art)
        self._add(CREATE2_DEPLOYER, "CREATE2 deployer")
        if self.safe:
            self._add(self.safe, "this Safe")

    def _add_upgraders(self, record: Any, impl_artifact: Artifact | None) -> None:
        """A ProxyAdmin or beacon (the kind says which) is named for the proxies it upgrades;
        every other proxy of a beacon is named too."""
        kind = kind_of(record)
        for holder in kind.storage_holders(record)[1:]:
            self.proxies[to_checksum_address(holder)] = record
            self._add(holder, f"{record.name} proxy", impl_artifact)
        for target in kind.upgrade_targets(record):
            key = to_checksum_address(target)
            if key in self.proxies:
                continue
            self.upgraders.setdefault(key, []).append(record)
            contract = "ProxyAdmin" if record.admin and key == to_checksum_address(record.admin) else "UpgradeableBeacon"
            names = ", ".join(r.name for r in self.upgraders[key])
            self._add(key, f"{contract} of {names}", _abi_artifact(contract))

    def records_at(self, address: str) -> list[Any]:
        """The proxy records a call to ``address`` can upgrade (the proxy itself, or its ProxyAdmin/beacon)."""
        key = to_checksum_address(address)
        return [self.proxies[key]] if key in self.proxies else list(self.upgraders.get(key, []))

    def _add(self, address: str, name: str, artifact: Artifact | None = None) -> None:
        key = to_checksum_address(address)
        self.names[key] = name
        if artifact is not None:
            self.contract_of[key] = artifact

    def name(self, address: str) -> str | None:
        key = to_checksum_address(address)
        if key in self.names:
            return self.names[key]
        known = lookup(key)
        return known.name if known else None

    def short(self, address: str) -> str:
        """'RentVault' for a proxy, else the name or the address."""
        key = to_checksum_address(address)
        if key in self.proxies:
            return self.proxies[key].name
        return self.name(key) or key


def _abi_artifact(name: str) -> Artifact:
    return Artifact("upgrader.proxies", name, UPGRADER_CONTRACTS[name], b"", b"", (), None)


class Decoder:
    def __init__(self, book: AddressBook, artifacts: list[Artifact] = ()) -> None:
        self.book = book
        self.artifacts = [a for a in artifacts if a.initcode]
        self.by_selector: dict[bytes, tuple[str | None, dict[str, Any]]] = {}
        for art in artifacts:
            for frag in art.abi:
                if frag.get("type") == "function":
                    self.by_selector.setdefault(selector(frag), (None, frag))
        for name, fragments in UPGRADER_CONTRACTS.items():
            for frag in fragments:
                self.by_selector.setdefault(selector(frag), (name, frag))
        for frag in SAFE_SETTINGS_ABI:
            self.by_selector[selector(frag)] = ("Safe", frag)

    def decode(self, call: Call, path: str = "0", depth: int = 0) -> CallNode:
        node = CallNode(path=path, call=call, to_name=self.book.name(call.to))
        if call.to == CREATE2_DEPLOYER and len(call.data) > 32:
            node.deploy = self._deployment(call.data)
            return node
        if is_multisend_calldata(call.data):
            node.contract, node.function, node.signature = self.book.name(call.to), "multiSend", "multiSend(bytes)"
            if depth >= MAX_DEPTH:
                node.error = f"MultiSend nested deeper than {MAX_DEPTH} levels"
                return node
            try:
                inner = decode_multisend(call.data)
            except Exception as exc:  # InputError from the packed decoder
                node.error = str(exc)
                return node
            node.calls = [self.decode(c, f"{path}.{i + 1}", depth + 1) for i, c in enumerate(inner)]
            return node
        if len(call.data) >= 4:
            self._decode_function(node, depth)
            from upgrader.stages.review.governed import expand

            expand(self, node, depth)  # a Timelock's or Governor's scheduled calls, as children
        return node

    def _decode_function(self, node: CallNode, depth: int) -> None:
        sel = node.call.data[:4]
        owner, frag = None, None
        art = self.book.contract_of.get(node.call.to)
        if art is not None:
            frag = next((f for f in art.abi if f.get("type") == "function" and selector(f) == sel), None)
        if frag is None and node.call.to == self.book.safe:
            frag = next((f for f in SAFE_SETTINGS_ABI if selector(f) == sel), None)
        if frag is None and sel in self.by_selector:
            owner, frag = self.by_selector[sel]
        if frag is None:
            return
        inputs = frag.get("inputs") or []
        try:
            values = abi_decode([canonical_type(p) for p in inputs], node.call.data[4:])
        except Exception as exc:  # eth_abi raises several types on bad data
            node.error = f"data does not decode as {signature(frag)}: {exc}"
            return
        node.contract = self.book.short(node.call.to) if (art is not None or node.call.to == self.book.safe) else owner
        node.function, node.signature = frag["name"], signature(frag)
        for i, (param, value) in enumerate(zip(inputs, values)):
            arg: dict[str, Any] = {"name": param.get("name") or str(i), "type": canonical_type(param), "value": value}
            if param["type"] == "address":
                arg["value"] = to_checksum_address(value)
                arg["name_of"] = self.book.name(arg["value"])
            node.args.append(arg)
        # the init data an upgrade runs through the proxy: UUPS upgradeToAndCall(impl, data),
        # ProxyAdmin upgradeAndCall(proxy, impl, data)
        at = {"upgradeToAndCall": (0, 1), "upgradeAndCall": (1, 2)}.get(node.function or "")
        if at and len(node.args) == at[1] + 1 and node.args[at[1]]["value"]:
            impl, data = node.args[at[0]]["value"], node.args[at[1]]["value"]
            sub = CallNode(path=node.path + ".init", call=Call(impl, data), to_name=self.book.name(impl))
            target = self.book.built.get(impl) or self.book.contract_of.get(impl)
            saved = self.book.contract_of.get(impl)
            if target is not None:  # the target's ABI first; else any ABI of the build knows the selector
                self.book.contract_of[impl] = target
            self._decode_function(sub, depth + 1)
            if target is not None and saved is None:
                del self.book.contract_of[impl]
            if target is not None:
                sub.contract = target.name if sub.function else None
            node.args[at[1]]["decoded"] = sub

    def _deployment(self, data: bytes) -> Deployment:
        salt, initcode = data[:32], data[32:]
        address = create2.address_of(initcode, salt)
        match = next((a for a in self.artifacts if initcode == a.initcode), None)
        match = match or next((a for a in self.artifacts if initcode.startswith(a.initcode)), None)
        return Deployment(address, match, salt, len(initcode))


def artifacts_of(build_info: dict[str, Any] | None) -> list[Artifact]:
    return all_artifacts(build_info) if build_info else []
