"""Stateful property test: random register / deposit / withdraw / transfer / status / role
sequences against the deployed platform on Anvil, with the V1 -> V2 upgrade of
PropertyRegistry and RentVault executed at a random point through the Safe (one
MultiSendCallOnly batch of ``upgradeToAndCall(v2, initializeV2(...))``, two owners' EIP-712
signatures, ``execTransaction`` sent by a random account).

A Python model predicts every outcome, including the exact custom error of each revert, and
after every step the chain must match it:
- the vault's token balance == totalEscrowed() == the sum of per-property balances;
- every registered property has a non-zero owner;
- everything V1 exposes (owners, statuses, URIs, balances, counts, roles, wiring) equals the
  model, which the upgrade does not touch; the upgrade rule also compares the chain with
  itself just before and after.

Each example starts from an EVM snapshot of the deployed system and is reverted afterwards.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import keccak, to_checksum_address
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test
from web3.exceptions import ContractCustomError, ContractLogicError

from upgrader.build import artifacts
from upgrader.chain import create2
from upgrader.chain.rpc import implementation_of, send
from upgrader.chain.safe_exec import domain_of, execute
from upgrader.safe.multisend import Batch
from upgrader.safe.signatures import encode_signatures, sign_eip712
from upgrader.safe.tx import DELEGATECALL, safe_tx_hash

pytestmark = pytest.mark.chain

MNEMONIC = "test test test test test test test test test test test junk"
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


def _owner_keys(w3: Any, owners: list[str]) -> dict[str, Any]:
    Account.enable_unaudited_hdwallet_features()
    keys = {}
    for i in range(1, 4):
        acct = Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}")
        assert acct.address == w3.eth.accounts[i]
        keys[acct.address] = acct
    assert sorted(keys) == sorted(owners)
    return keys


def test_platform_state_machine(chain, request):
    w3 = chain.w3
    contracts = {name: chain.contract(name) for name in ("AccessHub", "PropertyRegistry", "RentVault", "MockERC20")}
    hub, token = contracts["AccessHub"], contracts["MockERC20"]
    vault_address = chain.address("RentVault")
    actors = [chain.deployer, *w3.eth.accounts[4:10]]
    keys = _owner_keys(w3, chain.owners)
    owner_pairs = [(a, b) for a in sorted(keys) for b in sorted(keys) if a != b]  # ordered: signing order varies
    gas_price = max(4 * w3.eth.gas_price, 10**10)
    v2_arts = {name: artifacts.find(chain.build_info, v2) for name, v2 in V2.items()}

    stats = {"examples": 0, "steps": 0, "upgrades": 0}

    def tx(fn: Any, sender: str) -> Any:
        """Send without gas estimation or fee look-ups (fixed gas, legacy price): one round trip less."""
        stats[f"ok_{fn.fn_name}"] = stats.get(f"ok_{fn.fn_name}", 0) + 1
        return send(w3, {"from": sender, "to": fn.address, "data": fn._encode_transaction_data(), "gas": 1_000_000, "gasPrice": gas_price})

    def reverts_with(fn: Any, sender: str, expected: bytes) -> None:
        try:
            fn.call({"from": sender})
        except (ContractCustomError, ContractLogicError) as exc:
            got = bytes.fromhex(exc.data[2:]) if isinstance(exc.data, str) else None
            assert got == expected, f"{fn.fn_name}: revert data {got and got.hex()} != expected {expected.hex()}"
            stats[f"revert_{fn.fn_name}"] = stats.get(f"revert_{fn.fn_name}", 0) + 1
            return
        raise AssertionError(f"{fn.fn_name} from {sender} succeeded; the model expected a revert")

    # Once for the whole test (inside the `chain` snapshot): V2 implementations via CREATE2, and
    # every actor funded and approved, so examples spend their steps on the platform.
    for name, art in v2_arts.items():
        create2.ensure_deployed(w3, chain.deployer, art.initcode)
    for actor in actors:
        send(w3, token.functions.mint(actor, FUNDING).build_transaction({"from": actor}))
        send(w3, token.functions.approve(vault_address, 2**256 - 1).build_transaction({"from": actor}))

    class PlatformMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
            stats["examples"] += 1
            self.reg = contracts["PropertyRegistry"]
            self.vault = contracts["RentVault"]
            self.owner: dict[int, str] = {}
            self.status: dict[int, int] = {}
            self.uri: dict[int, str] = {}
            self.balance: dict[int, int] = {}
            self.roles = {role: {chain.deployer} for role in ROLES.values()}
            self.upgraded = False

        def teardown(self) -> None:
            assert w3.provider.make_request("evm_revert", [self.snapshot])["result"] is True

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
            fn = self.reg.functions.registerProperty(owner, uri)
            if not (self.has("MANAGER_ROLE", sender) or self.has("OPERATOR_ROLE", sender)):
                return reverts_with(fn, sender, Unauthorized(sender))
            receipt = tx(fn, sender)
            (event,) = self.reg.events.PropertyRegistered().process_receipt(receipt)
            pid = len(self.owner) + 1
            assert dict(event["args"]) == {"id": pid, "owner": owner, "metadataURI": uri}
            self.owner[pid], self.status[pid], self.uri[pid], self.balance[pid] = owner, 1, uri, 0

        @rule(p=st.integers(0, 6), choice=st.integers(0, 255), amount=st.integers(0, 10**24))
        def deposit(self, p: int, choice: int, amount: int) -> None:
            self._deposit(actors[p], self.pick(choice), amount)

        def _deposit(self, payer: str, pid: int, amount: int) -> None:
            fn = self.vault.functions.deposit(pid, amount)
            if amount == 0:
                return reverts_with(fn, payer, ZeroAmount)
            if pid not in self.owner:
                return reverts_with(fn, payer, UnknownProperty(pid))
            tx(fn, payer)
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
            fn = self.vault.functions.withdraw(pid, value, actors[to])
            if pid not in self.owner:
                return reverts_with(fn, sender, UnknownProperty(pid))  # bubbled up from the registry
            if sender != self.owner[pid]:
                return reverts_with(fn, sender, NotPropertyOwner(pid, sender))
            if value == 0:
                return reverts_with(fn, sender, ZeroAmount)
            if value > held:
                return reverts_with(fn, sender, InsufficientBalance(pid, held, value))
            tx(fn, sender)
            self.balance[pid] -= value

        @rule(choice=st.integers(0, 255), who=WHO, to=st.integers(0, 6))
        def transfer(self, choice: int, who: int, to: int) -> None:
            pid = self.pick(choice)
            sender = self.choose(who, self.owner_of(pid))
            fn = self.reg.functions.transferProperty(pid, actors[to])
            if pid not in self.owner:
                return reverts_with(fn, sender, UnknownProperty(pid))
            if sender != self.owner[pid]:
                return reverts_with(fn, sender, NotPropertyOwner(pid, sender))
            tx(fn, sender)
            self.owner[pid] = actors[to]

        @rule(who=WHO, choice=st.integers(0, 255), status=st.integers(0, 5))
        def set_status(self, who: int, choice: int, status: int) -> None:
            sender, pid = self.choose(who, self.holders("MANAGER_ROLE")), self.pick(choice)
            fn = self.reg.functions.setStatus(pid, status)
            if not self.has("MANAGER_ROLE", sender):
                return reverts_with(fn, sender, Unauthorized(sender))
            if not 1 <= status <= 4:
                return reverts_with(fn, sender, InvalidStatus(status))
            if pid not in self.owner:
                return reverts_with(fn, sender, UnknownProperty(pid))
            tx(fn, sender)
            self.status[pid] = status

        @rule(who=WHO, role=st.sampled_from(sorted(ROLES)), a=st.integers(0, 6))
        def grant_role(self, who: int, role: str, a: int) -> None:
            sender, account = self.choose(who, self.holders("ADMIN_ROLE")), actors[a]
            fn = hub.functions.grantRole(ROLES[role], account)
            if not self.has("ADMIN_ROLE", sender):
                return reverts_with(fn, sender, Unauthorized(sender))
            tx(fn, sender)
            self.roles[ROLES[role]].add(account)

        @rule(who=WHO, role=st.sampled_from(sorted(ROLES)), a=st.integers(0, 6))
        def revoke_role(self, who: int, role: str, a: int) -> None:
            sender, account = self.choose(who, self.holders("ADMIN_ROLE")), actors[a]
            fn = hub.functions.revokeRole(ROLES[role], account)
            if not self.has("ADMIN_ROLE", sender):
                return reverts_with(fn, sender, Unauthorized(sender))
            members = self.roles[ROLES[role]]
            if account in members and role == "ADMIN_ROLE" and len(members) == 1:
                return reverts_with(fn, sender, LastAdmin)
            tx(fn, sender)
            members.discard(account)

        @precondition(lambda self: not self.upgraded)
        @rule(
            signers=st.sampled_from(owner_pairs),
            executor=st.integers(0, 6),
            category=st.integers(1, 16).flatmap(lambda n: st.tuples(st.integers(0, n - 1), st.just(n))),
            fee=st.tuples(st.integers(0, 2000), st.integers(0, 2**32 - 1)),
        )
        def apply_v2_upgrade(self, signers: tuple[str, str], executor: int, category: tuple[int, int], fee: tuple[int, int]) -> None:
            before = read_v1_state(self)
            impls = {name: create2.ensure_deployed(w3, chain.deployer, art.initcode)[0] for name, art in v2_arts.items()}
            init = {"PropertyRegistry": category, "RentVault": fee}
            batch = Batch()
            for name, impl in impls.items():
                v2 = w3.eth.contract(address=chain.address(name), abi=v2_arts[name].abi)
                init_data = v2.functions.initializeV2(*init[name])._encode_transaction_data()
                upgrade = v2.functions.upgradeToAndCall(impl, init_data)._encode_transaction_data()
                batch.add_call(v2.address, upgrade)
            nonce = w3.eth.contract(address=chain.safe, abi=safe_abi).functions.nonce().call()
            safe_tx = batch.to_safe_tx(chain.manifest.safe.multisend_call_only, nonce)
            assert safe_tx.operation == DELEGATECALL
            digest = safe_tx_hash(safe_tx, domain_of(w3, chain.safe))
            signatures = encode_signatures(sign_eip712(keys[s], digest) for s in signers)
            execute(w3, chain.safe, safe_tx, signatures, actors[executor])

            for name, impl in impls.items():
                assert implementation_of(w3, chain.address(name)) == impl
            self.reg = w3.eth.contract(address=chain.address("PropertyRegistry"), abi=v2_arts["PropertyRegistry"].abi)
            self.vault = w3.eth.contract(address=vault_address, abi=v2_arts["RentVault"].abi)
            r, v = self.reg.functions, self.vault.functions
            assert (r.version().call(), v.version().call()) == ("2.0.0", "2.0.0")
            assert (r.defaultCategory().call(), r.categoryCount().call()) == category
            assert (v.lateFeeBps().call(), v.gracePeriod().call()) == fee
            assert read_v1_state(self) == before  # the upgrade changed nothing V1 shows
            self.upgraded = True
            stats["upgrades"] += 1

        # --- invariants -------------------------------------------------------------------

        @invariant()
        def chain_matches_model(self) -> None:
            stats["steps"] += 1
            state = read_v1_state(self)
            vault_tokens, total = state["vault_tokens"], state["totalEscrowed"]
            assert vault_tokens == total == sum(state["balances"].values()) == sum(self.balance.values())
            assert all(int(o, 16) != 0 for o in state["owners"].values())
            assert all(state["exists"].values()) and not state["exists_next"]
            assert state == self.expected_state()

        def expected_state(self) -> dict[str, Any]:
            total = sum(self.balance.values())
            return {
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
            }

    safe_abi = _safe_abi()

    registry_address, hub_address = chain.address("PropertyRegistry"), chain.address("AccessHub")

    def read_v1_state(m: Any) -> dict[str, Any]:
        """Everything V1 exposes, read with hand-encoded eth_calls in one JSON-RPC batch (web3's
        contract layer costs milliseconds per call in Python; this keeps a step cheap). Only
        V1 functions are read, so the same reads are valid before and after the upgrade."""
        ids = list(range(1, len(m.owner) + 1))
        R, V, H, T = registry_address, vault_address, hub_address, token.address
        calls: list[tuple[str, Any, str, str, str]] = [
            ("count", None, R, _call("propertyCount()"), "uint256"),
            ("exists_next", None, R, _call("exists(uint256)", len(ids) + 1), "bool"),
            ("vault_tokens", None, T, _call("balanceOf(address)", V), "uint256"),
            ("totalEscrowed", None, V, _call("totalEscrowed()"), "uint256"),
        ]
        for pid in ids:
            calls += [
                ("owners", pid, R, _call("ownerOf(uint256)", pid), "address"),
                ("exists", pid, R, _call("exists(uint256)", pid), "bool"),
                ("statuses", pid, R, _call("statusOf(uint256)", pid), "uint8"),
                ("uris", pid, R, _call("metadataURI(uint256)", pid), "string"),
                ("balances", pid, V, _call("balanceOf(uint256)", pid), "uint256"),
            ]
        calls += [("holdings", a, R, _call("propertiesOf(address)", a), "uint256") for a in actors]
        calls += [("roles", (r, a), H, _call("hasRole(bytes32,address)", r, a), "bool") for r in ROLES.values() for a in actors]
        calls += [("role_counts", r, H, _call("roleMemberCount(bytes32)", r), "uint256") for r in ROLES.values()]
        calls += [
            ("wiring", i, to, _call(sig), "address")
            for i, (to, sig) in enumerate(
                [(R, "governance()"), (R, "accessHub()"), (V, "governance()"), (V, "accessHub()"),
                 (V, "registry()"), (V, "token()"), (H, "governance()")]
            )
        ]
        responses = w3.provider.make_batch_request([("eth_call", [{"to": to, "data": data}, "latest"]) for _, _, to, data, _ in calls])
        assert isinstance(responses, list) and len(responses) == len(calls), responses
        state: dict[str, Any] = {k: {} for k in ("owners", "exists", "statuses", "uris", "balances", "holdings", "roles", "role_counts")}
        wiring_values = []
        for (key, sub, _, _, out), response in zip(calls, responses):
            assert "error" not in response, (key, sub, response)
            (value,) = abi_decode([out], bytes.fromhex(response["result"][2:]))
            value = to_checksum_address(value) if out == "address" else value
            if key == "wiring":
                wiring_values.append(value)
            elif sub is None:
                state[key] = value
            else:
                state[key][sub] = value
        state["wiring"] = tuple(wiring_values)
        return state

    wiring = (
        chain.safe, chain.address("AccessHub"), chain.safe, chain.address("AccessHub"),
        chain.address("PropertyRegistry"), chain.address("MockERC20"), chain.safe,
    )

    started = time.perf_counter()
    run_state_machine_as_test(PlatformMachine, settings=SETTINGS)
    elapsed = time.perf_counter() - started
    for key, value in {**stats, "seconds": round(elapsed, 3), "examples_per_second": round(stats["examples"] / elapsed, 2)}.items():
        request.node.user_properties.append((key, value))  # in --junitxml output; nothing printed
    # the machine must actually have exercised the upgrade and many steps, or it proves little
    assert stats["upgrades"] > 0 and stats["steps"] >= stats["examples"]


def _call(signature: str, *args: Any) -> str:
    """Calldata for a view with static arguments (uint, address, bytes32), each one word."""
    words = []
    for arg in args:
        if isinstance(arg, int):
            words.append(arg.to_bytes(32, "big"))
        elif isinstance(arg, bytes):
            words.append(arg.rjust(32, b"\0"))
        else:
            words.append(bytes.fromhex(arg[2:]).rjust(32, b"\0"))
    return "0x" + (_selector(signature) + b"".join(words)).hex()


_SELECTORS: dict[str, bytes] = {}


def _selector(signature: str) -> bytes:
    if signature not in _SELECTORS:
        _SELECTORS[signature] = keccak(text=signature)[:4]
    return _SELECTORS[signature]


def _safe_abi() -> Any:
    from upgrader.deploy.safe import safe_abi

    return safe_abi()
