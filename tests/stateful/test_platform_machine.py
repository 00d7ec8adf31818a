"""Stateful property test: random register / deposit / withdraw / transfer / status / role
sequences against the deployed platform on Anvil, with the V1 -> V2 upgrade of
PropertyRegistry and RentVault executed at a random point through the Safe (one
MultiSendCallOnly batch of ``upgradeToAndCall(v2, initializeV2(...))``, two owners' EIP-712
signatures (``eth_signTypedData_v4`` of the SafeTx typed data), ``execTransaction`` sent by a random account).

A Python model predicts every outcome, including the exact custom error of each revert, and
after every step the chain must match it:
- the vault's token balance == totalEscrowed() == the sum of per-property balances;
- every registered property has a non-zero owner;
- everything V1 exposes (owners, statuses, URIs, balances, counts, roles, wiring) equals the
  model, which the upgrade does not touch, so the invariant right after the upgrade compares
  the chain with what it was just before; versions and implementation slots follow the
  upgrade, and after it the V2 settings equal the initializeV2 arguments.

Each example starts from an EVM snapshot of the deployed system and is reverted afterwards.

Speed (`benchmarks/bench_foundation.py` reports examples/s): a step costs Anvil two cheap
round trips per transaction (``eth_sendTransaction`` with hand-encoded calldata, no web3
contract objects, then ``evm_mine``: automine is off, as Anvil's automine mines after it has
answered) and one for the invariant: the receipts, expected reverts and every view it
compares are checked in ONE JSON-RPC batch, the views inside a
single ``eth_call`` to Multicall3 (ape's copy of its runtime code, placed by a state
override, so the chain itself is untouched).
"""

from __future__ import annotations

import http.client
import json
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test

from upgrader.build import artifacts
from upgrader.chain import create2
from upgrader.chain.rpc import IMPLEMENTATION_SLOT, send
from upgrader.sim.safe_exec import domain_of
from upgrader.safe.multisend import Batch
from upgrader.safe.signatures import SafeSignature, encode_signatures
from upgrader.safe.tx import DELEGATECALL, safe_tx_hash, typed_data

pytestmark = pytest.mark.chain

ROLES = {name: keccak(text=name) for name in ("ADMIN_ROLE", "MANAGER_ROLE", "OPERATOR_ROLE")}
V2 = {"PropertyRegistry": "PropertyRegistryV2", "RentVault": "RentVaultV2"}
FUNDING = 10**30
WHO = st.integers(0, 255)  # who acts: see PlatformMachine.choose
SETTINGS = settings(
    max_examples=25,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _selector_data(name: str, types: tuple[str, ...], args: tuple[Any, ...]) -> bytes:
    return keccak(text=f"{name}({','.join(types)})")[:4] + abi_encode(list(types), list(args))


def Unauthorized(a: str) -> bytes:  # noqa: N802 - named like the Solidity errors they encode
    return _selector_data("Unauthorized", ("address",), (a,))


def NotPropertyOwner(pid: int, a: str) -> bytes:  # noqa: N802
    return _selector_data("NotPropertyOwner", ("uint256", "address"), (pid, a))


def UnknownProperty(pid: int) -> bytes:  # noqa: N802
    return _selector_data("UnknownProperty", ("uint256",), (pid,))


def InvalidStatus(status: int) -> bytes:  # noqa: N802
    return _selector_data("InvalidStatus", ("uint8",), (status,))


def InsufficientBalance(pid: int, balance: int, amount: int) -> bytes:  # noqa: N802
    return _selector_data("InsufficientBalance", ("uint256", "uint256", "uint256"), (pid, balance, amount))


ZeroAmount = _selector_data("ZeroAmount", (), ())
LastAdmin = _selector_data("LastAdmin", (), ())


def test_platform_state_machine(chain, anvil, request):
    w3 = chain.w3
    rpc = Rpc(w3.provider.endpoint_uri)
    registry, vault, hub, token = (chain.address(n) for n in ("PropertyRegistry", "RentVault", "AccessHub", "MockERC20"))
    actors = [chain.deployer, *w3.eth.accounts[4:10]]
    owners = sorted(chain.owners)
    assert owners == sorted(w3.eth.accounts[1:4])  # Anvil holds their keys (its dev mnemonic) and signs for them
    owner_pairs = [(a, b) for a in owners for b in owners if a != b]  # ordered: signing order varies
    gas_price = hex(max(4 * w3.eth.gas_price, 10**10))
    v2_arts = {name: artifacts.find(chain.build_info, v2) for name, v2 in V2.items()}
    initialize_v2 = {name: _function_selector(art.abi, "initializeV2") for name, art in v2_arts.items()}

    stats = {"examples": 0, "steps": 0, "upgrades": 0}

    # Once for the whole test (inside the `chain` snapshot): V2 implementations via CREATE2, and
    # every actor funded and approved, so examples spend their steps on the platform.
    impls = {name: create2.ensure_deployed(w3, chain.deployer, art.initcode)[0] for name, art in v2_arts.items()}
    tok = chain.contract("MockERC20")
    for actor in actors:
        send(w3, tok.functions.mint(actor, FUNDING).build_transaction({"from": actor}))
        send(w3, tok.functions.approve(vault, 2**256 - 1).build_transaction({"from": actor}))
    safe_nonce = int(rpc.call("eth_call", [{"to": chain.safe, "data": _call("nonce()")}, "latest"]), 16)  # every example starts here
    domain = domain_of(w3, chain.safe)

    def sign(signers: tuple[str, str], safe_tx: Any) -> list[SafeSignature]:
        """Each owner signs the SafeTx typed data (eth_signTypedData_v4, as a wallet does), both
        in one batch; Anvil's own EIP-712 hashing is a second opinion on ours."""
        data = typed_data(safe_tx, domain)
        replies = rpc.batch([("eth_signTypedData_v4", [owner, data]) for owner in signers])
        out = []
        for owner, reply in zip(signers, replies):
            raw = bytes.fromhex(reply["result"][2:])
            out.append(SafeSignature(owner, "eip712", int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big"), raw[64]))
        return out

    class PlatformMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.snapshot = rpc.call("evm_snapshot", [])
            stats["examples"] += 1
            self.owner: dict[int, str] = {}
            self.status: dict[int, int] = {}
            self.uri: dict[int, str] = {}
            self.balance: dict[int, int] = {}
            self.roles = {role: {chain.deployer} for role in ROLES.values()}
            self.upgraded: tuple[tuple[int, int], tuple[int, int]] | None = None  # (category, fee) once upgraded
            self.reverts: list[tuple[str, str, str, bytes, str]] = []  # (sender, to, data, revert data, what)
            self.sent: list[tuple[str, str, tuple[str, list[str], str] | None]] = []  # (tx hash, what, expected log)

        def teardown(self) -> None:
            assert rpc.call("evm_revert", [self.snapshot]) is True

        # --- chain plumbing: sends now, checks in the invariant's batch ---------------------

        def tx(self, what: str, to: str, data: bytes, sender: str, log: tuple[str, list[str], str] | None = None) -> None:
            """Send without gas estimation or fee look-ups (fixed gas, legacy price) and mine it
            (evm_mine answers once the block exists); its receipt (status, and ``log`` when
            given) is checked in the next batch."""
            if self.reverts:  # expected reverts are checked against the state they were predicted on
                self.check(views=False)
            tx = {"from": sender, "to": to, "data": "0x" + data.hex(), "gas": "0xf4240", "gasPrice": gas_price}
            self.sent.append((rpc.call("eth_sendTransaction", [tx]), what, log))
            rpc.call("evm_mine", [])
            stats[f"ok_{what}"] = stats.get(f"ok_{what}", 0) + 1

        def reverts_with(self, what: str, to: str, data: bytes, sender: str, expected: bytes) -> None:
            self.reverts.append((sender, to, "0x" + data.hex(), expected, what))
            stats[f"revert_{what}"] = stats.get(f"revert_{what}", 0) + 1

        def check(self, views: bool = True) -> None:
            """One batch: the views (one Multicall3 eth_call), the expected reverts, the receipts."""
            calls = []
            if views:
                reads = view_calls(self)
                calls.append(("eth_call", [{"to": MULTICALL3, "data": "0x" + _aggregate3([(t, d) for _, _, t, d, _ in reads]).hex()}, "latest", MULTICALL_OVERRIDE]))
                calls += [("eth_getStorageAt", [proxy, hex(IMPLEMENTATION_SLOT), "latest"]) for proxy in (registry, vault)]
            calls += [("eth_call", [{"from": s, "to": to, "data": d, "gas": "0xf4240"}, "latest"]) for s, to, d, _, _ in self.reverts]
            calls += [("eth_getTransactionReceipt", [h]) for h, _, _ in self.sent]
            replies = iter(rpc.batch(calls))
            if views:
                multicall = next(replies)
                assert "error" not in multicall, multicall
                slots = [next(replies)["result"] for _ in range(2)]
            for (sender, _, _, expected, what), reply in zip(self.reverts, replies):
                assert "error" in reply, f"{what} from {sender} succeeded; the model expected a revert"
                got = reply["error"].get("data")
                assert got == "0x" + expected.hex(), f"{what}: revert data {got} != expected 0x{expected.hex()}"
            for (h, what, log), reply in zip(self.sent, replies):
                receipt = reply["result"]
                assert receipt is not None and receipt["status"] == "0x1", f"{what} ({h}) reverted; the model expected success"
                if log is not None:
                    address, topics, data = log
                    found = [(e["topics"], e["data"]) for e in receipt["logs"] if e["address"].lower() == address.lower() and e["topics"][0] == topics[0]]
                    assert found == [(topics, data)], f"{what}: logs {found} != expected {[(topics, data)]}"
            self.sent, self.reverts = [], []
            if views:
                state = decode_views(reads, multicall["result"])
                state["implementations"] = tuple(to_checksum_address("0x" + s[-40:]) for s in slots)
                self.compare(state)

        def compare(self, state: dict[str, Any]) -> None:
            vault_tokens, total = state["vault_tokens"], state["totalEscrowed"]
            assert vault_tokens == total == sum(state["balances"].values()) == sum(self.balance.values())
            assert all(int(o, 16) != 0 for o in state["owners"].values())
            assert all(state["exists"].values()) and not state["exists_next"]
            assert state == self.expected_state()

        # --- model helpers ----------------------------------------------------------------

        def pick(self, choice: int) -> int:
            """Mostly an existing id; sometimes 0 or one past the end (unknown)."""
            n = len(self.owner)
            if n and choice % 8:
                return 1 + choice % n
            return 0 if choice % 16 == 0 else n + 1 + choice % 3

        def has(self, role: str, account: str) -> bool:
            return account in self.roles[ROLES[role]]

        def choose(self, who: int, preferred: list[str]) -> str:
            """Three times in four someone in ``preferred`` (a role holder, the owner) when there is
            one, so most steps get past access control; otherwise any actor."""
            if preferred and who % 4:
                return preferred[who % len(preferred)]
            return actors[who % len(actors)]

        def holders(self, *roles: str) -> list[str]:
            return sorted(set().union(*(self.roles[ROLES[r]] for r in roles)))

        def owner_of(self, pid: int) -> list[str]:
            return [self.owner[pid]] if pid in self.owner else []

        # --- rules ------------------------------------------------------------------------

        @initialize(
            props=st.lists(st.tuples(st.integers(1, 6), st.integers(0, 10**21)), min_size=1, max_size=3),
        )
        def seed_properties(self, props: list[tuple[int, int]]) -> None:
            """Start every example with a few properties (some with rent in escrow)."""
            for o, amount in props:
                self._register(chain.deployer, actors[o], f"ipfs://seed/{o}")
                self._deposit(actors[o], len(self.owner), amount)

        @rule(who=WHO, o=st.integers(1, 6), uri=st.text(max_size=24))
        def register(self, who: int, o: int, uri: str) -> None:
            self._register(self.choose(who, self.holders("MANAGER_ROLE", "OPERATOR_ROLE")), actors[o], uri)

        def _register(self, sender: str, owner: str, uri: str) -> None:
            data = _selector("registerProperty(address,string)") + abi_encode(["address", "string"], [owner, uri])
            if not (self.has("MANAGER_ROLE", sender) or self.has("OPERATOR_ROLE", sender)):
                return self.reverts_with("registerProperty", registry, data, sender, Unauthorized(sender))
            pid = len(self.owner) + 1
            log = (registry, [REGISTERED, _word(pid), _word(owner)], "0x" + abi_encode(["string"], [uri]).hex())
            self.tx("registerProperty", registry, data, sender, log)
            self.owner[pid], self.status[pid], self.uri[pid], self.balance[pid] = owner, 1, uri, 0

        @rule(p=st.integers(0, 6), choice=st.integers(0, 255), amount=st.integers(0, 10**24))
        def deposit(self, p: int, choice: int, amount: int) -> None:
            self._deposit(actors[p], self.pick(choice), amount)

        def _deposit(self, payer: str, pid: int, amount: int) -> None:
            data = _calldata("deposit(uint256,uint256)", pid, amount)
            if amount == 0:
                return self.reverts_with("deposit", vault, data, payer, ZeroAmount)
            if pid not in self.owner:
                return self.reverts_with("deposit", vault, data, payer, UnknownProperty(pid))
            self.tx("deposit", vault, data, payer)
            self.balance[pid] += amount

        @rule(
            choice=st.integers(0, 255),
            who=WHO,
            amount=st.one_of(st.sampled_from(["all", "half", "over"]), st.integers(0, 10**24)),
            to=st.integers(0, 6),
        )
        def withdraw(self, choice: int, who: int, amount: Any, to: int) -> None:
            pid = self.pick(choice)
            sender = self.choose(who, self.owner_of(pid))
            held = self.balance.get(pid, 0)
            value = {"all": held, "half": held // 2, "over": held + 1}.get(amount, amount)
            data = _calldata("withdraw(uint256,uint256,address)", pid, value, actors[to])
            if pid not in self.owner:
                return self.reverts_with("withdraw", vault, data, sender, UnknownProperty(pid))  # bubbled up from the registry
            if sender != self.owner[pid]:
                return self.reverts_with("withdraw", vault, data, sender, NotPropertyOwner(pid, sender))
            if value == 0:
                return self.reverts_with("withdraw", vault, data, sender, ZeroAmount)
            if value > held:
                return self.reverts_with("withdraw", vault, data, sender, InsufficientBalance(pid, held, value))
            self.tx("withdraw", vault, data, sender)
            self.balance[pid] -= value

        @rule(choice=st.integers(0, 255), who=WHO, to=st.integers(0, 6))
        def transfer(self, choice: int, who: int, to: int) -> None:
            pid = self.pick(choice)
            sender = self.choose(who, self.owner_of(pid))
            data = _calldata("transferProperty(uint256,address)", pid, actors[to])
            if pid not in self.owner:
                return self.reverts_with("transferProperty", registry, data, sender, UnknownProperty(pid))
            if sender != self.owner[pid]:
                return self.reverts_with("transferProperty", registry, data, sender, NotPropertyOwner(pid, sender))
            self.tx("transferProperty", registry, data, sender)
            self.owner[pid] = actors[to]

        @rule(who=WHO, choice=st.integers(0, 255), status=st.integers(0, 5))
        def set_status(self, who: int, choice: int, status: int) -> None:
            sender, pid = self.choose(who, self.holders("MANAGER_ROLE")), self.pick(choice)
            data = _calldata("setStatus(uint256,uint8)", pid, status)
            if not self.has("MANAGER_ROLE", sender):
                return self.reverts_with("setStatus", registry, data, sender, Unauthorized(sender))
            if not 1 <= status <= 4:
                return self.reverts_with("setStatus", registry, data, sender, InvalidStatus(status))
            if pid not in self.owner:
                return self.reverts_with("setStatus", registry, data, sender, UnknownProperty(pid))
            self.tx("setStatus", registry, data, sender)
            self.status[pid] = status

        @rule(who=WHO, role=st.sampled_from(sorted(ROLES)), a=st.integers(0, 6))
        def grant_role(self, who: int, role: str, a: int) -> None:
            sender, account = self.choose(who, self.holders("ADMIN_ROLE")), actors[a]
            data = _calldata("grantRole(bytes32,address)", ROLES[role], account)
            if not self.has("ADMIN_ROLE", sender):
                return self.reverts_with("grantRole", hub, data, sender, Unauthorized(sender))
            self.tx("grantRole", hub, data, sender)
            self.roles[ROLES[role]].add(account)

        @rule(who=WHO, role=st.sampled_from(sorted(ROLES)), a=st.integers(0, 6))
        def revoke_role(self, who: int, role: str, a: int) -> None:
            sender, account = self.choose(who, self.holders("ADMIN_ROLE")), actors[a]
            data = _calldata("revokeRole(bytes32,address)", ROLES[role], account)
            if not self.has("ADMIN_ROLE", sender):
                return self.reverts_with("revokeRole", hub, data, sender, Unauthorized(sender))
            members = self.roles[ROLES[role]]
            if account in members and role == "ADMIN_ROLE" and len(members) == 1:
                return self.reverts_with("revokeRole", hub, data, sender, LastAdmin)
            self.tx("revokeRole", hub, data, sender)
            members.discard(account)

        @precondition(lambda self: self.upgraded is None)
        @rule(
            signers=st.sampled_from(owner_pairs),
            executor=st.integers(0, 6),
            category=st.integers(1, 16).flatmap(lambda n: st.tuples(st.integers(0, n - 1), st.just(n))),
            fee=st.tuples(st.integers(0, 2000), st.integers(0, 2**32 - 1)),
        )
        def apply_v2_upgrade(self, signers: tuple[str, str], executor: int, category: tuple[int, int], fee: tuple[int, int]) -> None:
            """The V1 state must be untouched by it: the invariant after this step compares the
            chain with the same model as before, and from now on also checks the V2 views."""
            init = {"PropertyRegistry": category, "RentVault": fee}
            batch = Batch()
            for name, impl in impls.items():
                init_data = initialize_v2[name] + abi_encode(["uint256", "uint256"], list(init[name]))
                batch.add_call(chain.address(name), _selector("upgradeToAndCall(address,bytes)") + abi_encode(["address", "bytes"], [impl, init_data]))
            safe_tx = batch.to_safe_tx(chain.manifest.safe.multisend_call_only, safe_nonce)
            assert safe_tx.operation == DELEGATECALL
            digest = safe_tx_hash(safe_tx, domain)  # must be what the Safe emits, or the signatures would not verify
            signatures = encode_signatures(sign(signers, safe_tx))
            data = EXEC_TRANSACTION + abi_encode(EXEC_TYPES, [*safe_tx.contract_args()[:9], signatures])
            log = (chain.safe, [EXECUTION_SUCCESS, "0x" + digest.hex()], "0x" + bytes(32).hex())  # Safe 1.4.1: txHash indexed, payment 0
            self.tx("execTransaction", chain.safe, data, actors[executor], log)
            self.upgraded = (category, fee)
            stats["upgrades"] += 1

        # --- invariants -------------------------------------------------------------------

        @invariant()
        def chain_matches_model(self) -> None:
            stats["steps"] += 1
            self.check()

        def expected_state(self) -> dict[str, Any]:
            total = sum(self.balance.values())
            state = {
                "count": len(self.owner),
                "owners": dict(self.owner),
                "exists": {pid: True for pid in self.owner},
                "exists_next": False,
                "statuses": dict(self.status),
                "uris": dict(self.uri),
                "balances": dict(self.balance),
                "vault_tokens": total,
                "totalEscrowed": total,
                "holdings": {a: sum(1 for o in self.owner.values() if o == a) for a in actors},
                "roles": {(r, a): a in members for r, members in self.roles.items() for a in actors},
                "role_counts": {r: len(members) for r, members in self.roles.items()},
                "wiring": wiring,
                "versions": ("2.0.0", "2.0.0") if self.upgraded else ("1.0.0", "1.0.0"),
                "implementations": tuple(impls.values()) if self.upgraded else v1_implementations,
            }
            if self.upgraded:
                state["v2"] = self.upgraded
            return state

    def view_calls(m: Any) -> list[tuple[str, Any, str, bytes, str]]:
        """Everything V1 exposes (and, once upgraded, the V2 settings) as (key, sub, to, calldata, type)."""
        ids = range(1, len(m.owner) + 1)
        R, V, H, T = registry, vault, hub, token
        calls: list[tuple[str, Any, str, bytes, str]] = [
            ("count", None, R, _calldata("propertyCount()"), "uint"),
            ("exists_next", None, R, _calldata("exists(uint256)", len(ids) + 1), "bool"),
            ("vault_tokens", None, T, _calldata("balanceOf(address)", V), "uint"),
            ("totalEscrowed", None, V, _calldata("totalEscrowed()"), "uint"),
            ("versions", 0, R, _calldata("version()"), "string"),
            ("versions", 1, V, _calldata("version()"), "string"),
        ]
        for pid in ids:
            calls += [
                ("owners", pid, R, _calldata("ownerOf(uint256)", pid), "address"),
                ("exists", pid, R, _calldata("exists(uint256)", pid), "bool"),
                ("statuses", pid, R, _calldata("statusOf(uint256)", pid), "uint"),
                ("uris", pid, R, _calldata("metadataURI(uint256)", pid), "string"),
                ("balances", pid, V, _calldata("balanceOf(uint256)", pid), "uint"),
            ]
        calls += static_views
        if m.upgraded:
            calls += v2_views
        return calls

    static_views: list[tuple[str, Any, str, bytes, str]] = []
    static_views += [("holdings", a, registry, _calldata("propertiesOf(address)", a), "uint") for a in actors]
    static_views += [("roles", (r, a), hub, _calldata("hasRole(bytes32,address)", r, a), "bool") for r in ROLES.values() for a in actors]
    static_views += [("role_counts", r, hub, _calldata("roleMemberCount(bytes32)", r), "uint") for r in ROLES.values()]
    static_views += [
        ("wiring", i, to, _calldata(sig), "address")
        for i, (to, sig) in enumerate(
            [(registry, "governance()"), (registry, "accessHub()"), (vault, "governance()"), (vault, "accessHub()"),
             (vault, "registry()"), (vault, "token()"), (hub, "governance()")]
        )
    ]
    v2_views = [
        ("v2", (0, 0), registry, _calldata("defaultCategory()"), "uint"),
        ("v2", (0, 1), registry, _calldata("categoryCount()"), "uint"),
        ("v2", (1, 0), vault, _calldata("lateFeeBps()"), "uint"),
        ("v2", (1, 1), vault, _calldata("gracePeriod()"), "uint"),
    ]

    wiring = (chain.safe, hub, chain.safe, hub, registry, token, chain.safe)
    v1_implementations = tuple(chain.manifest.proxy(n).implementation.address for n in ("PropertyRegistry", "RentVault"))

    rpc.call("evm_setAutomine", [False])  # each send is mined by evm_mine, which answers once mined
    try:
        started, cpu, anvil_cpu = time.perf_counter(), time.process_time(), _cpu_seconds(anvil.proc.pid)
        run_state_machine_as_test(PlatformMachine, settings=SETTINGS)
        elapsed = time.perf_counter() - started
        cpu, anvil_cpu = time.process_time() - cpu, _cpu_seconds(anvil.proc.pid) - anvil_cpu
    finally:
        rpc.call("evm_setAutomine", [True])
    # CPU seconds (this process + Anvil) say what the machine costs on a busy machine, where
    # wall time mostly measures the other processes
    figures = {"seconds": round(elapsed, 3), "examples_per_second": round(stats["examples"] / elapsed, 2),
               "cpu_seconds": round(cpu, 3), "anvil_cpu_seconds": round(anvil_cpu, 3)}
    for key, value in {**stats, **figures}.items():
        request.node.user_properties.append((key, value))  # in --junitxml output; nothing printed
    # the machine must actually have exercised the upgrade and many steps, or it proves little
    assert stats["upgrades"] > 0 and stats["steps"] >= stats["examples"]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc; 0 elsewhere)."""
    import os

    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- raw JSON-RPC and ABI, kept to what the machine needs ------------------------------------

class Rpc:
    """JSON-RPC over one keep-alive HTTP connection (web3's request stack costs milliseconds)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)

    def _post(self, payload: Any) -> Any:
        self.conn.request("POST", "/", json.dumps(payload), {"Content-Type": "application/json"})
        return json.loads(self.conn.getresponse().read())

    def call(self, method: str, params: list[Any]) -> Any:
        reply = self._post({"jsonrpc": "2.0", "id": 0, "method": method, "params": params})
        assert "error" not in reply, f"{method}: {reply['error']}"
        return reply["result"]

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        replies = self._post([{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)])
        assert isinstance(replies, list) and len(replies) == len(calls), replies
        return sorted(replies, key=lambda r: r["id"])


# Multicall3 (mds1/multicall, the canonical address) from ape's copy of its runtime code; placed
# by an eth_call state override, so it needs no deployment.
from ape_ethereum.multicall.constants import MULTICALL3_ADDRESS as MULTICALL3  # noqa: E402
from ape_ethereum.multicall.constants import MULTICALL3_CODE  # noqa: E402

MULTICALL_OVERRIDE = {MULTICALL3: {"code": "0x" + bytes(MULTICALL3_CODE).hex()}}
REGISTERED = "0x" + keccak(text="PropertyRegistered(uint256,address,string)").hex()
EXECUTION_SUCCESS = "0x" + keccak(text="ExecutionSuccess(bytes32,uint256)").hex()
EXEC_TYPES = ["address", "uint256", "bytes", "uint8", "uint256", "uint256", "uint256", "address", "address", "bytes"]
EXEC_TRANSACTION = keccak(text=f"execTransaction({','.join(EXEC_TYPES)})")[:4]
_CHECKSUMMED: dict[bytes, str] = {}


def _word(value: Any) -> str:
    return "0x" + _arg(value).hex()


def _arg(value: Any) -> bytes:
    if isinstance(value, int):
        return value.to_bytes(32, "big")
    if isinstance(value, bytes):
        return value.rjust(32, b"\0")
    return bytes.fromhex(value[2:]).rjust(32, b"\0")


def _calldata(signature: str, *args: Any) -> bytes:
    """Calldata for static arguments (uint, address, bytes32), each one word."""
    return _selector(signature) + b"".join(_arg(a) for a in args)


def _call(signature: str, *args: Any) -> str:
    return "0x" + _calldata(signature, *args).hex()


def _function_selector(abi: list[dict[str, Any]], name: str) -> bytes:
    (fn,) = [f for f in abi if f.get("type") == "function" and f["name"] == name]
    return _selector(f"{name}({','.join(i['type'] for i in fn['inputs'])})")


def _aggregate3(calls: list[tuple[str, bytes]]) -> bytes:
    """Multicall3.aggregate3((address target, bool allowFailure, bytes callData)[]), allowFailure
    false: one failing view fails the whole eth_call."""
    heads, tails, offset = [], [], 32 * len(calls)
    for target, data in calls:
        item = _arg(target) + bytes(32) + (96).to_bytes(32, "big") + len(data).to_bytes(32, "big") + data + bytes(-len(data) % 32)
        heads.append(offset.to_bytes(32, "big"))
        tails.append(item)
        offset += len(item)
    return _selector("aggregate3((address,bool,bytes)[])") + (32).to_bytes(32, "big") + len(calls).to_bytes(32, "big") + b"".join(heads + tails)


def _results(raw: bytes) -> list[bytes]:
    """The returnData of each (bool success, bytes returnData) in aggregate3's answer."""
    n = int.from_bytes(raw[32:64], "big")
    out = []
    for i in range(n):
        at = 64 + int.from_bytes(raw[64 + 32 * i: 96 + 32 * i], "big")
        assert raw[at + 31] == 1
        start = at + int.from_bytes(raw[at + 32: at + 64], "big")
        length = int.from_bytes(raw[start: start + 32], "big")
        out.append(raw[start + 32: start + 32 + length])
    return out


def _decode(kind: str, data: bytes) -> Any:
    if kind == "uint":
        return int.from_bytes(data[:32], "big")
    if kind == "bool":
        return data[:32] != bytes(32)
    if kind == "address":
        raw = data[12:32]
        if raw not in _CHECKSUMMED:
            _CHECKSUMMED[raw] = to_checksum_address(raw)
        return _CHECKSUMMED[raw]
    start = int.from_bytes(data[:32], "big")  # string
    length = int.from_bytes(data[start: start + 32], "big")
    return data[start + 32: start + 32 + length].decode()


def decode_views(reads: list[tuple[str, Any, str, bytes, str]], result: str) -> dict[str, Any]:
    state: dict[str, Any] = {k: {} for k in ("owners", "exists", "statuses", "uris", "balances", "holdings", "roles", "role_counts")}
    wiring, versions, v2 = [], [], [[0, 0], [0, 0]]
    for (key, sub, _, _, kind), data in zip(reads, _results(bytes.fromhex(result[2:])), strict=True):
        value = _decode(kind, data)
        if key == "wiring":
            wiring.append(value)
        elif key == "versions":
            versions.append(value)
        elif key == "v2":
            v2[sub[0]][sub[1]] = value
        elif sub is None:
            state[key] = value
        else:
            state[key][sub] = value
    state["wiring"], state["versions"] = tuple(wiring), tuple(versions)
    if len(reads) and reads[-1][0] == "v2":
        state["v2"] = (tuple(v2[0]), tuple(v2[1]))
    return state


_SELECTORS: dict[str, bytes] = {}


def _selector(signature: str) -> bytes:
    if signature not in _SELECTORS:
        _SELECTORS[signature] = keccak(text=signature)[:4]
    return _SELECTORS[signature]
