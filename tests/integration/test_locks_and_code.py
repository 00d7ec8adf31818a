"""What `simulate` calls locked and what it calls the build's code (issue 26):

- locked means no initializer can be called by a stranger on the implementation itself (probed
  on the fork); an implementation without initializers has nothing to lock;
- the code at the implementation equals what the build's init code with the recorded
  constructor arguments deploys at that CREATE2 address, immutables included; review ties such
  an implementation to its build and arguments.

Real parts: PlainVault/PlainVaultV2 (no Initializable; V2 with an immutable from its constructor)
behind OpenZeppelin 5's TransparentUpgradeableProxy, RentVaultOpen (RentVaultV2 without its
`_disableInitializers` constructor), all compiled by solc into the fixture build; the session
Anvil and its 2-of-3 Safe."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

import pytest
from integration_helpers import network_context

from upgrader.adopt.importer import ImportRequest, run_import
from upgrader.build import artifacts
from upgrader.chain import create2
from upgrader.chain.rpc import send
from upgrader.config import ModuleConfig
from upgrader.safe import Call, add_checksum, build_batch_file
from upgrader.sim.safe_exec import safe_contract
from upgrader.stages.plan import make_plan
from upgrader.stages.planfile import write_plan
from upgrader.stages.review.report import ReviewContext, review
from upgrader.stages.review.subject import subject_from_json
from upgrader.stages.simulate import simulate

pytestmark = pytest.mark.chain
CAP = 2000


def _deploy(chain: Any, build: dict, name: str, *args: Any) -> str:
    """Deploy ``name`` from the build with a plain CREATE; its address."""
    art = artifacts.find(build, name)
    contract = chain.w3.eth.contract(abi=art.abi, bytecode=art.initcode)
    receipt = send(chain.w3, contract.constructor(*args).build_transaction({"from": chain.deployer}))
    return receipt["contractAddress"]


@pytest.fixture
def plain(chain, fixture_build, tmp_path) -> Any:
    """PlainVault behind a Transparent proxy whose ProxyAdmin the Safe owns, imported by
    `upgrader import` into its own manifest, its module targeting PlainVaultV2(CAP)."""
    impl = _deploy(chain, fixture_build, "PlainVault")
    # OpenZeppelin 5.7's ERC1967Proxy refuses empty data: the first deposit is the construction call
    first = chain.w3.eth.contract(abi=artifacts.find(fixture_build, "PlainVault").abi).encode_abi("deposit", [70])
    proxy = _deploy(chain, fixture_build, "TransparentUpgradeableProxy", impl, chain.safe, bytes.fromhex(first[2:]))
    module = ModuleConfig(name="PlainVault", initial="PlainVault", target="PlainVaultV2", constructor_args=(CAP,))
    project = replace(chain.config, modules={"PlainVault": module})
    ctx = network_context(project, chain.w3, fixture_build, tmp_path / "deployments")
    run_import(ctx, ImportRequest(proxies=[f"PlainVault={proxy}"], safe=chain.safe,
                                  multisend=chain.manifest.safe.multisend_call_only))
    assert ctx.manifest().proxy("PlainVault").kind == "transparent"
    return ctx


def _initcode(build: dict, cap: int) -> bytes:
    from eth_abi import encode

    return artifacts.find(build, "PlainVaultV2").initcode + encode(["uint256"], [cap])


def _review(chain: Any, ctx: Any, plan: dict, simulated: Any, build: dict, anvil: Any = None) -> Any:
    """review --plan of the plan's batch (its simulation report beside it) with the module's
    constructor arguments known (as the CLI reads them from the config), on chain; with
    ``anvil`` also --simulate on a fork of it."""
    from upgrader.stages.review.simulate.fork import simulate_review
    from upgrader.stages.simulate import write_simulation

    path = write_plan(plan, ctx.plans_dir)
    write_simulation(ctx, simulated)
    nonce = safe_contract(chain.w3, chain.safe).functions.nonce().call()
    batch = copy.deepcopy(build_batch_file(chain_id=31337, safe=chain.safe, name="upgrade",
                                           calls=[Call(c["to"], c["data"], int(c["value"])) for c in plan["calls"]]))
    batch["meta"]["nonce"] = str(nonce)
    read_code = lambda a: bytes(chain.w3.eth.get_code(a))  # noqa: E731
    to = plan["upgrades"][0]["to"]
    args = [(to["contract"].split(":")[-1], bytes.fromhex(to["constructor_args"][2:]))] if to.get("constructor_args") else []
    rctx = ReviewContext(manifest=ctx.manifest(), build_info=build, read_code=read_code, plan=plan, plan_path=path,
                         constructor_args=args)
    reviewed = review(subject_from_json(json.loads(json.dumps(add_checksum(batch))), "batch.json"), rctx)
    if anvil is not None:
        reviewed.warnings.extend(simulate_review(reviewed, rctx, anvil.url, root=chain.config.root).warnings)
    return reviewed


def _checks(report: Any) -> dict[str, Any]:
    return {c.name: c for c in report.checks}


def test_a_transparent_upgrade_of_a_plain_contract_without_initializable_is_green(plain):
    report = simulate(plain, make_plan(plain))
    assert report.ok, [c.to_json() for c in report.checks if not c.ok]
    checks = _checks(report)
    assert checks["PlainVault: implementation-locked"].detail == "no initializers: nothing to lock"
    assert "immutables included" in checks["PlainVault: runtime-code"].detail


def test_an_open_uups_implementation_passes_only_as_its_plan_allows(chain, make_ctx, fixture_build):
    """The checker refuses RentVaultOpen (missing-disable-initializers); a team that allows the
    kind gets what it asked for on the fork too, said as such (simulate's check and review's
    yellow), not a red it can only skip or accept (seen on the public Hardhat repo
    fospring/openzeppelin-uups @ e038a97: the allowed plan could never pass simulate). Without the
    allowance (review with no plan, the module allowing nothing) it is red."""
    from upgrader.sim import locks

    ctx = make_ctx(targets={"RentVault": "RentVaultOpen"}, build_info=fixture_build)
    plan = make_plan(ctx, only=["RentVault"], unsafe_allow=frozenset({"missing-disable-initializers"}))
    report = simulate(ctx, plan)
    assert report.ok, [c.to_json() for c in report.checks if not c.ok]
    detail = _checks(report)["RentVault: implementation-locked"].detail
    assert detail.startswith("accepted (missing-disable-initializers is allowed for this module): a stranger can initialize")
    assert "initialize(address,address,address,address) succeeds" in detail

    art = artifacts.find(fixture_build, "RentVaultOpen")
    impl, _, _ = create2.ensure_deployed(ctx.w3, chain.deployer, art.initcode)  # the probe on the chain, not the fork
    assert impl == plan["upgrades"][0]["to"]["implementation"]
    probe = locks.probe(ctx.w3, impl, fixture_build, art.fqn, art.abi)
    assert not probe.ok and "initialize(address,address,address,address) succeeds" in probe.detail
    assert locks.judged(probe, fixture_build, art.fqn, frozenset()) == probe  # nothing allowed: red
    assert locks.judged(probe, fixture_build, art.fqn, frozenset({"selfdestruct"})) == probe


def test_an_open_transparent_implementation_is_accepted_unless_it_can_harm(chain, anvil, plain, fixture_build):
    """A Transparent implementation with an initializer and no lock (OpenZeppelin 4's Transparent
    examples; upgrades-core and our checker accept it): a stranger can initialize the bare
    implementation, but it has no upgrade function to take over, so simulate accepts it and
    review says it in yellow. Allowing selfdestruct or delegatecall for it makes it red again
    (Parity 2017: the owner of a bare library killed it)."""
    from upgrader.config import Reinitializer
    from upgrader.sim import locks

    module = replace(plain.config.modules["PlainVault"], target="PlainVaultInit", constructor_args=(),
                     reinitializer=Reinitializer("initialize", (chain.safe,), changes=()))
    ctx = replace(plain, config=replace(plain.config, modules={"PlainVault": module}))
    plan = make_plan(ctx)
    report = simulate(ctx, plan)
    assert report.ok, [c.to_json() for c in report.checks if not c.ok]
    detail = _checks(report)["PlainVault: implementation-locked"].detail
    assert detail.startswith("accepted (not a UUPS implementation: it has no upgrade function to take over")
    assert "initialize(address) succeeds" in detail

    reviewed = _review(chain, ctx, plan, report, fixture_build, anvil)  # review --simulate: yellow, not red
    assert not [w for w in reviewed.warnings if w.severity == "red"], [w.message for w in reviewed.warnings]
    (accepted,) = [w for w in reviewed.warnings if w.kind == "implementation-initializable-accepted"]
    assert accepted.severity == "yellow" and "no upgrade function to take over" in accepted.message

    art = artifacts.find(fixture_build, "PlainVaultInit")
    impl, _, _ = create2.ensure_deployed(ctx.w3, chain.deployer, art.initcode)
    assert impl == plan["upgrades"][0]["to"]["implementation"]
    probe = locks.probe(ctx.w3, impl, fixture_build, art.fqn, art.abi)
    assert not probe.ok and "initialize(address) succeeds" in probe.detail
    assert locks.judged(probe, fixture_build, art.fqn, frozenset()).ok
    assert locks.judged(probe, fixture_build, art.fqn, frozenset({"delegatecall"})) == probe


def test_the_demo_v2_implementations_are_locked_by_their_initializable(make_ctx):
    report = simulate(make_ctx(), make_plan(make_ctx()))
    for name in ("PropertyRegistry", "RentVault"):
        detail = _checks(report)[f"{name}: implementation-locked"].detail
        assert detail.startswith("initializers disabled: ") and "initializeV2" in detail and "already initialized" in detail


def test_an_implementation_planted_at_the_create2_address_with_another_immutable_is_red(chain, anvil, plain, fixture_build):
    elsewhere = _deploy(chain, fixture_build, "PlainVaultV2", 10_000)  # the same build, a fee cap of 10000
    planted = create2.address_of(_initcode(fixture_build, CAP))
    chain.w3.provider.make_request("anvil_setCode", [planted, "0x" + bytes(chain.w3.eth.get_code(elsewhere)).hex()])
    plan = make_plan(plain)
    assert plan["upgrades"][0]["to"]["implementation"] == planted and plan["upgrades"][0]["to"]["already_deployed"]
    report = simulate(plain, plan)
    failed = [c for c in report.checks if not c.ok]
    assert [c.name for c in failed] == ["PlainVault: runtime-code"]
    assert "in an immutable" in failed[0].detail and f"{10_000:064x}" in failed[0].detail and f"{CAP:064x}" in failed[0].detail

    reviewed = _review(chain, plain, plan, report, fixture_build, anvil)  # review --simulate sees it too
    red = [w for w in reviewed.warnings if w.severity == "red" and w.kind != "simulation-failed"]
    assert [w.kind for w in red] == ["implementation-code-differs"] and "in an immutable" in red[0].message


def test_the_honest_one_pre_deployed_is_green_and_review_links_it_to_its_build_and_arguments(chain, plain, fixture_build):
    address, _, _ = create2.ensure_deployed(chain.w3, chain.deployer, _initcode(fixture_build, CAP))
    plan = make_plan(plain)
    assert plan["upgrades"][0]["to"]["already_deployed"] and [c["to"] for c in plan["calls"]] == [plain.manifest().proxy("PlainVault").admin]
    report = simulate(plain, plan)
    assert report.ok, [c.to_json() for c in report.checks if not c.ok]

    reviewed = _review(chain, plain, plan, report, fixture_build)
    assert not [w for w in reviewed.warnings if w.severity == "red"], reviewed.warnings
    shown = json.dumps(reviewed.to_json())
    assert f"PlainVaultV2 (build, CREATE2, constructor arguments 0x{CAP:064x})" in shown and address in shown


def test_code_that_differs_only_in_its_metadata_hash_is_red(chain, anvil, plain, fixture_build):
    """Provenance (issue 24): the metadata hash is the build's too; the same code compiled from
    other sources or settings, planted at the CREATE2 address, says so with both hashes."""
    from upgrader.build.artifacts import strip_metadata
    from upgrader.sim.code import IPFS_KEY, metadata_hash

    built = bytes(chain.w3.eth.get_code(_deploy(chain, fixture_build, "PlainVaultV2", CAP)))
    at = len(strip_metadata(built)) + built[len(strip_metadata(built)):].index(IPFS_KEY) + len(IPFS_KEY) + 2
    other = built[:at] + bytes([built[at] ^ 0xFF]) + built[at + 1:]  # one byte of the ipfs digest
    planted = create2.address_of(_initcode(fixture_build, CAP))
    chain.w3.provider.make_request("anvil_setCode", [planted, "0x" + other.hex()])
    plan = make_plan(plain)
    failed = [c for c in simulate(plain, plan).checks if not c.ok]
    assert [c.name for c in failed] == ["PlainVault: runtime-code"]
    assert "only in its CBOR metadata" in failed[0].detail
    assert metadata_hash(other) in failed[0].detail and metadata_hash(built) in failed[0].detail
