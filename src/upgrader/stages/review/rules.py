"""The review's warnings, one function per class. Red means: do not sign.

Each warning has a ``kind`` from ``KINDS``; every rule reads the decoded call tree, never the
display a batch file claims."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from upgrader.build.artifacts import Artifact, code_hash
from upgrader.safe._values import ZERO_ADDRESS
from upgrader.safe.addresses import CREATE2_DEPLOYER
from upgrader.safe.tx import DELEGATECALL, SafeTx
from upgrader.proxies import kind_of
from upgrader.stages.review.decode import (
    SAFE_SETTINGS_FUNCTIONS, UPGRADE_FUNCTIONS, AddressBook, CallNode, Deployment,
)

Severity = Literal["red", "yellow"]
KINDS: dict[str, Severity] = {
    "checksum-invalid": "red", "display-mismatch": "red", "hash-mismatch": "red", "wrong-safe": "red",
    "service-mismatch": "red",
    "delegatecall": "red", "safe-settings-change": "red", "safe-self-call": "red", "gas-refund": "red",
    "nonce-conflict": "red", "duplicate-proposal": "red", "untrusted-target": "red", "unknown-deploy": "red", "undecodable": "red",
    "implementation-mismatch": "red", "implementation-unknown": "red", "checker-rejects": "red",
    "plan-mismatch": "red", "plan-stale": "red", "unknown-upgrader": "red", "not-simulated": "red", "simulation-failed": "red",
    "simulation-reverted": "red", "safe-config-changed": "red", "proxy-changed-unplanned": "red",  # review --simulate
    "undeclared-state-change": "red", "implementation-initializable": "red", "implementation-code-differs": "red",
    "empty-batch": "red",
    # review --simulate's pre-sign probes (issue 24, sim.probes)
    "incomplete-reinitialization": "red", "left-unset-after-upgrade": "red", "reinitializable-after-upgrade": "red",
    "authority-granted": "red",
    "checksum-missing": "yellow", "implementation-not-verified": "yellow", "no-nonce": "yellow",
    "domain-without-chain-id": "yellow", "plan-not-found": "yellow", "red-accepted": "yellow",
    "already-executed": "yellow", "implementation-initializable-accepted": "yellow",
}
CodeReader = Callable[[str], "bytes | None"]


@dataclass(frozen=True)
class ReviewWarning:
    kind: str
    message: str
    path: str | None = None

    @property
    def severity(self) -> Severity:
        return KINDS[self.kind]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "severity": self.severity, "path": self.path}


def where(node: CallNode) -> str:
    return f"call {node.path}: {node.summary()}"


def delegatecalls(root: CallNode, trusted_multisend: Callable[[str], bool]) -> list[ReviewWarning]:
    out = []
    for node in root.walk():
        if node.call.operation != DELEGATECALL:
            continue
        if node is root and trusted_multisend(node.call.to) and node.is_batch:
            continue
        target = node.to_name or "an UNKNOWN contract"
        out.append(ReviewWarning("delegatecall", (
            f"DELEGATECALL to {node.call.to} ({target}), shown as {node.summary()}: its code runs as the Safe, "
            "with the Safe's storage, and can overwrite slot 0 (the Safe's singleton), its owners, modules "
            "and guard. This is how the Bybit Safe was taken over. Only a trusted MultiSendCallOnly may be "
            "DELEGATECALLed."), node.path))
    return out


def empty_batches(root: CallNode) -> list[ReviewWarning]:
    """A MultiSend with no calls, DELEGATECALLed: it does nothing a signer can see, yet runs
    code as the Safe (a MultiSend that is not what it claims would not be caught by decoding)."""
    return [ReviewWarning("empty-batch", (
        f"call {n.path}: DELEGATECALL to {n.call.to} ({n.to_name or 'an UNKNOWN contract'}) with an EMPTY MultiSend "
        "batch: there is nothing to approve, yet code runs with the Safe's storage; do not sign"), n.path)
        for n in root.walk() if n.is_batch and not n.calls and n.call.operation == DELEGATECALL]


def no_chain_id(version: str) -> list[ReviewWarning]:
    """Safes before 1.3.0 sign an EIP-712 domain without chain id (Safe CHANGELOG 1.3.0)."""
    from upgrader.safe.tx import parse_version

    if parse_version(version) >= (1, 3, 0):
        return []
    return [ReviewWarning("domain-without-chain-id", (
        f"Safe {version} signs without a chain id: the same signatures are valid for this Safe's address on "
        "every chain where it exists (replayable); check that no copy of this Safe with the same owners exists elsewhere"))]


def safe_self_calls(root: CallNode, safe: str) -> list[ReviewWarning]:
    out = []
    for node in root.walk():
        if node.call.to != safe or node.is_batch:
            continue
        if node.function in SAFE_SETTINGS_FUNCTIONS:
            out.append(ReviewWarning("safe-settings-change",
                               f"{where(node)} changes the Safe's owners, threshold, modules, guard or fallback handler", node.path))
        elif node.call.data:
            out.append(ReviewWarning("safe-self-call",
                               f"{where(node)}: the Safe calls itself with data we cannot identify; it can change its own configuration", node.path))
    return out


def gas_refund(tx: SafeTx) -> list[ReviewWarning]:
    set_fields = [name for name, v in (("gasPrice", tx.gas_price != 0), ("gasToken", tx.gas_token != ZERO_ADDRESS),
                                       ("refundReceiver", tx.refund_receiver != ZERO_ADDRESS)) if v]
    if not set_fields:
        return []
    return [ReviewWarning("gas-refund", (
        f"{', '.join(set_fields)} set (gasPrice {tx.gas_price}, gasToken {tx.gas_token}, refundReceiver "
        f"{tx.refund_receiver}): the Safe pays the executor a refund out of its own funds"))]


def nonce_conflicts(nonce: int, own_hash: str, queued: dict[str, int]) -> list[ReviewWarning]:
    return [ReviewWarning("nonce-conflict", (
        f"another queued transaction {h} uses nonce {nonce}: only one of them can execute; make sure you "
        "sign the intended one")) for h, n in sorted(queued.items()) if n == nonce and h.lower() != own_hash.lower()]


def duplicate_proposals(tx: SafeTx, own_hash: str, queued: dict[str, SafeTx]) -> list[ReviewWarning]:
    """Another queued transaction doing exactly this (same calls, another nonce): one plan
    queued twice, which owners could sign and the Safe execute one after the other."""
    from dataclasses import replace

    return [ReviewWarning("duplicate-proposal", (
        f"another queued transaction {h} (nonce {other.nonce}) carries this same batch: the plan is proposed "
        "twice; sign only one and reject the other (a rejection at its nonce)"))
        for h, other in sorted(queued.items())
        if h.lower() != own_hash.lower() and other.nonce != tx.nonce and replace(other, nonce=tx.nonce) == tx]


def untrusted_targets(root: CallNode, book: AddressBook, trusted_multisend: Callable[[str], bool]) -> list[ReviewWarning]:
    allowed = set(book.proxies) | set(book.upgraders) | {CREATE2_DEPLOYER} | book.governance
    out = []
    for node in root.walk():
        if node is root and node.is_batch and trusted_multisend(node.call.to) and node.call.operation == DELEGATECALL:
            continue
        if node.call.to in allowed:
            continue
        name = node.to_name or "UNKNOWN address"
        out.append(ReviewWarning("untrusted-target",
                           f"{where(node)} targets {node.call.to} ({name}), which is not one of our proxies or the CREATE2 deployer",
                           node.path))
    return out


def unknown_upgraders(root: CallNode, book: AddressBook) -> list[ReviewWarning]:
    """An upgrade-shaped call (upgradeTo, upgradeToAndCall, ProxyAdmin upgrade/upgradeAndCall)
    to an address the manifest knows neither as a proxy nor as a ProxyAdmin or beacon of one."""
    return [ReviewWarning("unknown-upgrader", (
        f"{where(n)}: {n.call.to} is not a proxy, ProxyAdmin or beacon the manifest knows; this call would "
        "upgrade something upgrader has no record of"), n.path)
        for n in root.walk() if n.function in UPGRADE_FUNCTIONS and not book.records_at(n.call.to)]


def decode_errors(root: CallNode) -> list[ReviewWarning]:
    return [ReviewWarning("undecodable", f"call {n.path} to {n.call.to}: {n.error}", n.path) for n in root.walk() if n.error]


def unknown_deploys(root: CallNode) -> list[ReviewWarning]:
    return [ReviewWarning("unknown-deploy", f"{where(n)}: the init code matches no contract of the build", n.path)
            for n in root.walk() if n.deploy is not None and n.deploy.artifact is None]


@dataclass
class UpgradeCheck:
    """What the rules need beyond the tree: the build, the manifest's layouts, code on chain."""

    book: AddressBook
    artifact_by_fqn: dict[str, Artifact]
    verdict: Callable[[dict[str, Any], str, frozenset[str]], dict[str, Any]] | None  # (stored layout, fqn, allowed kinds) -> verdict
    read_code: CodeReader | None
    allowed: Callable[[str], frozenset[str]] = lambda _proxy: frozenset()  # validation kinds the proxy's plan (or module) allows
    read_creation: Callable[[str], bytes | None] | None = None  # address -> init code its top-level CREATE sent
    rejected: set[str] = field(default_factory=set)  # proxies whose upgrade the checker rejects here

    def run(self, root: CallNode) -> list[ReviewWarning]:
        deployed: dict[str, Deployment] = {}
        out: list[ReviewWarning] = []
        for node in root.walk():
            if node.deploy is not None:
                deployed[node.deploy.address] = node.deploy
            if node.function not in UPGRADE_FUNCTIONS or not node.args:
                continue
            values = [a["value"] for a in node.args]
            for record in self.book.records_at(node.call.to):
                for up in kind_of(record).upgrades_in(node.call.to, node.function, values, record):
                    out += self._upgrade(node, up.proxy, up.implementation, deployed)
        return out

    def _upgrade(self, node: CallNode, record: Any, impl: str, deployed: dict[str, Deployment]) -> list[ReviewWarning]:
        art, expected_hash = None, None
        if impl in deployed:
            art = deployed[impl].artifact
            if art is None:
                return [ReviewWarning("implementation-mismatch", f"{where(node)}: {impl} is deployed by this batch from init code that is not in the build", node.path)]
        elif impl in self.book.built:
            art = self.book.built[impl]
            expected_hash = art.code_hash
        elif impl in self.book.recorded_impls:
            rec = self.book.recorded_impls[impl]
            art, expected_hash = self.artifact_by_fqn.get(rec.contract), rec.code_hash
        else:
            art, unknown = self._by_code(node, impl)
            if unknown:
                return unknown
        out = self._code(node, impl, art, expected_hash) if expected_hash else []
        if art is not None and self.verdict is not None:
            allowed = self.allowed(record.name)
            verdict = self.verdict(record.implementation.storage_layout, art.fqn, allowed)
            if not verdict["ok"]:
                self.rejected.add(record.name)
                errors = "; ".join(f"{e.get('kind')}: {e.get('message')}" for e in verdict["errors"][:3])
                errors += f" (allowed: {', '.join(sorted(allowed))})" if allowed else ""
                out.append(ReviewWarning("checker-rejects", f"{where(node)}: upgrading {record.name} to {art.name} is rejected by the checker ({errors})", node.path))
        return out

    def _by_code(self, node: CallNode, impl: str) -> tuple[Artifact | None, list[ReviewWarning]]:
        """An implementation deployed before the batch by someone else (hardhat-upgrades'
        ``prepareUpgrade`` from the team's account, then a Safe transaction, as OpenZeppelin's
        multisig guide does it): the build contract whose code is the code at ``impl`` (metadata
        cut, immutables masked). Masking leaves the immutables' values open (UUPSUpgradeable
        has one, ``__self``), so a contract with immutables is tied only when a top-level CREATE
        made it from exactly the build's init code, as a CREATE2 address pins it for a plan.
        Nothing is tied offline, where no code is read."""
        code = self.read_code(impl) if self.read_code else None
        if code is None:
            return None, [ReviewWarning("implementation-unknown", (
                f"{where(node)}: {impl} is neither the CREATE2 address of a build contract nor a recorded "
                "implementation; its code cannot be tied to the build offline"), node.path)]
        if not code:
            return None, [ReviewWarning("implementation-unknown", (
                f"{where(node)}: no code at {impl}, which is no CREATE2 address of a build contract nor a recorded "
                "implementation, and this batch does not deploy it"), node.path)]
        art = next((a for a in self.artifact_by_fqn.values()
                    if a.runtime and len(a.runtime) == len(code) and code_hash(code, a.immutable_ranges) == a.code_hash), None)
        if art is None:
            return None, [ReviewWarning("implementation-unknown", (
                f"{where(node)}: the code at {impl} is no contract of the build (nor a recorded implementation)"), node.path)]
        if art.immutable_ranges and (self.read_creation is None or self.read_creation(impl) != art.initcode):
            return None, [ReviewWarning("implementation-unknown", (
                f"{where(node)}: the code at {impl} is {art.fqn} of the build apart from its immutables, whose values "
                "nothing pins: it was not created from the build's init code by a transaction (a plan deploys it at "
                "its CREATE2 address, with the module's constructor_args)"), node.path)]
        return art, []

    def _code(self, node: CallNode, impl: str, art: Artifact | None, expected: str) -> list[ReviewWarning]:
        code = self.read_code(impl) if self.read_code else None
        if code is None:
            return [ReviewWarning("implementation-not-verified", f"{where(node)}: code at {impl} not verified (offline); expected code hash {expected}", node.path)]
        if not code:
            return [ReviewWarning("implementation-mismatch", f"{where(node)}: no code at {impl} and this batch does not deploy it", node.path)]
        got = code_hash(code, art.immutable_ranges if art else ())
        if got != expected:
            return [ReviewWarning("implementation-mismatch", f"{where(node)}: code at {impl} hashes to {got}, the build expects {expected}", node.path)]
        return []
