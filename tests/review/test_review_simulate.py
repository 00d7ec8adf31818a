"""`review --simulate` on forks of the session chain: the transaction runs through the real
Safe (its nonce, owners, guard) and the report names what changed."""

from __future__ import annotations

import copy
import json

import pytest
from review_helpers import calldata, kinds, run

from upgrader.sim.safe_exec import approve_and_execute, safe_contract
from upgrader.stages.context import NetworkContext
from upgrader.stages.plan import make_plan
from upgrader.stages.planfile import write_plan
from upgrader.stages.review.report import ReviewContext
from upgrader.stages.review.simulate.fork import simulate_review
from upgrader.safe import Call, add_checksum, build_batch_file
from upgrader.safe.tx import SafeTx

pytestmark = pytest.mark.chain

SLOT0_WRITER = bytes.fromhex("60043560005500")  # sstore(0, calldataload(4)); stop
ATTACKER = "0x96221423681A6d52E184D440a8eFCEbB105C7242"


@pytest.fixture
def network_ctx(chain) -> NetworkContext:
    return NetworkContext(config=chain.config, network=chain.config.network(chain.network), w3=chain.w3)


def _simulated(chain, anvil, obj, ctx: ReviewContext):
    report = run(obj, ctx)
    sim = simulate_review(report, ctx, anvil.url, root=chain.config.root)
    report.warnings.extend(sim.warnings)
    return report, sim.to_json()


def _raw(chain, to, data, operation=0, nonce=None):
    nonce = safe_contract(chain.w3, chain.safe).functions.nonce().call() if nonce is None else nonce
    return {**SafeTx(to=to, data=data, operation=operation, nonce=nonce).to_json(), "safe": chain.safe, "chainId": 31337}


def _changes(sim, name):
    return {c["name"]: c for entry in sim["storage"] if entry["name"] == name for c in entry["changes"]}


def test_the_plans_batch_changes_the_implementation_slots_and_the_new_fields_only(network_ctx, chain, anvil):
    plan = make_plan(network_ctx)
    plan_path = write_plan(plan, network_ctx.plans_dir)
    nonce = safe_contract(chain.w3, chain.safe).functions.nonce().call()
    calls = [Call(c["to"], c["data"], int(c["value"])) for c in plan["calls"]]
    batch = copy.deepcopy(build_batch_file(chain_id=31337, safe=chain.safe, calls=calls, name="upgrade"))
    batch["meta"]["nonce"] = str(nonce)
    ctx = ReviewContext(manifest=chain.manifest, build_info=chain.build_info, plan=plan, plan_path=plan_path)
    report, sim = _simulated(chain, anvil, add_checksum(batch), ctx)
    assert sim["execution"]["ok"] and sim["execution"]["gas_used"] > 100_000
    assert not {"simulation-reverted", "safe-config-changed", "proxy-changed-unplanned"} & kinds(report)
    upgraded = {u["proxy"]: u["to"]["implementation"] for u in plan["upgrades"]}
    assert {c["proxy"] for c in sim["proxy_changes"]} == set(upgraded)
    assert all(c["explained_by_plan"] and c["after"] == upgraded[c["proxy"]] for c in sim["proxy_changes"])
    vault = _changes(sim, "RentVault")
    assert vault["ERC-1967 implementation"]["after"] == upgraded["RentVault"]
    # what the reinitializer writes, named through the V2 layout (ERC-7201 members included)
    assert set(vault) == {"ERC-1967 implementation", "InitializableStorage._initialized", "_lateFeeBps", "_gracePeriod"}, sorted(vault)
    assert (vault["_lateFeeBps"]["after"], vault["_gracePeriod"]["after"]) == ("500", "259200")
    assert (vault["InitializableStorage._initialized"]["before"], vault["InitializableStorage._initialized"]["after"]) == ("1", "2")
    touched_proxies = {e["name"] for e in sim["storage"] if not e["created"] and e["name"] != chain.safe}
    assert touched_proxies <= {"PropertyRegistry", "RentVault", "this Safe"}, touched_proxies
    safe = _changes(sim, "this Safe")
    assert set(safe) == {"nonce"} and int(safe["nonce"]["after"]) == nonce + 1
    assert all(c["name"] is not None for e in sim["storage"] for c in e["changes"]), sim["storage"]


def test_the_plans_batch_reviewed_without_its_plan_says_how_to_give_it_one(network_ctx, chain, anvil):
    # true red (nothing explains the upgrade), and the message says what to do about it
    plan = make_plan(network_ctx)
    nonce = safe_contract(chain.w3, chain.safe).functions.nonce().call()
    calls = [Call(c["to"], c["data"], int(c["value"])) for c in plan["calls"]]
    batch = copy.deepcopy(build_batch_file(chain_id=31337, safe=chain.safe, calls=calls, name="upgrade"))
    batch["meta"]["nonce"] = str(nonce)
    ctx = ReviewContext(manifest=chain.manifest, build_info=chain.build_info, plan=None)
    report, sim = _simulated(chain, anvil, add_checksum(batch), ctx)
    assert sim["execution"]["ok"]
    unplanned = [w for w in report.warnings if w.kind == "proxy-changed-unplanned"]
    assert {w.message.split("proxy ")[1].split(" ")[0] for w in unplanned} == {u["proxy"] for u in plan["upgrades"]}
    assert unplanned and all(w.severity == "red" for w in unplanned)
    hint = "make one with `upgrader plan` (or pass --plan FILE)"
    assert all(w.message.endswith(f"no plan explains it: {hint}, then review again") for w in unplanned), unplanned


def test_a_bybit_style_delegatecall_shows_the_singleton_changing_and_is_red(chain, anvil):
    chain.w3.provider.make_request("anvil_setCode", [ATTACKER, "0x" + SLOT0_WRITER.hex()])
    evil = "0xbDd077f651EBe7f7b3cE16fe5F2b025BE2969516"
    data = calldata("transfer(address,uint256)", ["address", "uint256"], [evil, 0])
    ctx = ReviewContext(manifest=chain.manifest, build_info=chain.build_info)
    report, sim = _simulated(chain, anvil, _raw(chain, ATTACKER, data, operation=1), ctx)
    assert sim["execution"]["ok"]
    singleton = _changes(sim, "this Safe")["singleton"]
    assert singleton["after"] == evil
    assert {c["setting"] for c in sim["safe_changes"]} == {"singleton"}
    assert "safe-config-changed" in kinds(report) and not report.ok
    assert safe_contract(chain.w3, chain.safe).functions.getOwners().call()  # the real chain is untouched


def test_an_erc20_transfer_shows_the_balances(chain, anvil):
    token = chain.contract("MockERC20")
    chain.transact(token.functions.mint(chain.safe, 1000), chain.deployer)
    to = chain.owners[0]
    ctx = ReviewContext(manifest=chain.manifest, build_info=chain.build_info)
    report, sim = _simulated(chain, anvil, _raw(chain, token.address, calldata("transfer(address,uint256)", ["address", "uint256"], [to, 10])), ctx)
    assert kinds(report) == {"untrusted-target"}  # review's own rule; the simulation adds nothing red
    balances = {b["holder"]: (b["before"], b["after"]) for b in sim["erc20_balances"]}
    assert balances == {chain.safe: ("1000", "990"), to: ("0", "10")}
    storage = _changes(sim, "MockERC20")
    assert storage[f"_balances[{chain.safe}]"]["before"] == "1000" and storage[f"_balances[{to}]"]["after"] == "10"
    events = [e for e in sim["events"] if e["event"] == "Transfer"]
    assert events and events[0]["args"] == {"from": chain.safe, "to": to, "value": "10"}


def test_a_reverting_batch_shows_the_reason(chain, anvil):
    token = chain.contract("MockERC20")
    data = calldata("transfer(address,uint256)", ["address", "uint256"], [chain.owners[0], 5])
    ctx = ReviewContext(manifest=chain.manifest, build_info=chain.build_info)
    report, sim = _simulated(chain, anvil, _raw(chain, token.address, data), ctx)
    assert not sim["execution"]["ok"]
    assert "ERC20InsufficientBalance" in sim["execution"]["revert"] and "GS013" in sim["execution"]["revert"]
    assert "simulation-reverted" in kinds(report)


def test_a_nested_safe_owner_approves_through_its_own_safe(chain, anvil):
    from upgrader.deploy.safe import create_safe, deploy_infrastructure

    w3 = chain.w3
    infra = deploy_infrastructure(w3, chain.deployer)
    inner_owners = [w3.eth.accounts[8], w3.eth.accounts[9]]
    owner_safe = create_safe(w3, chain.deployer, infra, inner_owners, 1, salt_nonce=4242)
    safe = safe_contract(w3, chain.safe)
    owners = list(safe.functions.getOwners().call())
    prev = "0x0000000000000000000000000000000000000001" if owners.index(owners[2]) == 0 else owners[1]
    swap = bytes.fromhex(safe.encode_abi("swapOwner", [prev, owners[2], owner_safe])[2:])
    nonce = safe.functions.nonce().call()
    approve_and_execute(w3, chain.safe, SafeTx(to=chain.safe, data=swap, nonce=nonce), owners[:2])
    token = chain.contract("MockERC20")
    chain.transact(token.functions.mint(chain.safe, 50), chain.deployer)
    ctx = ReviewContext(manifest=chain.manifest, build_info=chain.build_info)
    report, sim = _simulated(chain, anvil, _raw(chain, token.address, calldata("transfer(address,uint256)", ["address", "uint256"], [owner_safe, 7])), ctx)
    run_ = sim["execution"]
    assert run_["ok"], run_
    assert [a["safe"] for a in run_["approvals"]] == [owner_safe] and run_["approvals"][0]["ok"]
    assert {b["holder"]: b["after"] for b in sim["erc20_balances"]} == {chain.safe: "43", owner_safe: "7"}
    json.dumps(sim)  # the whole diff is JSON
