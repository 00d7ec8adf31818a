"""The pre-sign probes of issue 24 (sim.probes), run by `simulate` and `review --simulate` on a
fork after the batch, each red for the bad case and green for the good one:

- incomplete reinitialization (Ronin 2024): RentVaultV3 applied to the V1 proxy with only
  initializeV3 skips V2's reinitializer, and V2's `_gracePeriod`, read in `lateFee`'s `if`,
  stays 0 (left-unset-after-upgrade); declared in `skips`/`unset`, green;
- re-initialization after upgrade (Audius 2022): RentVaultReopen leaves `initialize` callable
  (reinitializer(3)) once the batch has moved the proxy to version 2;
- authority kept (Munchables 2024): a batch that also grants AccessHub's ADMIN_ROLE to an EOA;
  the same grant of MANAGER_ROLE, or of ADMIN_ROLE to the Safe (AccessHubGrant), is not red.

The implementation left initializable and provenance are `implementation-locked` and
`runtime-code` (sim.locks, sim.code; tests/integration/test_locks_and_code.py). Real parts: the
fixtures compiled by solc, the session Anvil and its 2-of-3 Safe."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

import pytest
from eth_utils import to_checksum_address
from integration_helpers import network_context

from upgrader.build import artifacts
from upgrader.config import Reinitializer
from upgrader.errors import InputError
from upgrader.keccak import keccak
from upgrader.safe import Call, add_checksum, build_batch_file
from upgrader.sim.safe_exec import safe_contract
from upgrader.stages.plan import make_plan
from upgrader.stages.review.report import ReviewContext, review
from upgrader.stages.review.simulate.fork import simulate_review
from upgrader.stages.review.subject import subject_from_json
from upgrader.stages.simulate import simulate

pytestmark = pytest.mark.chain
EOA = to_checksum_address("0x" + "ee" * 20)
PROBES = ("reinitialization", "initializers-closed")


def _ctx(chain: Any, deployments: Any, build: dict, target: str, reinit: Reinitializer) -> Any:
    modules = dict(chain.config.modules)
    modules["RentVault"] = replace(modules["RentVault"], target=target, reinitializer=reinit, smoke=())
    return network_context(replace(chain.config, modules=modules), chain.w3, build, deployments)


def _v3(chain: Any, deployments: Any, build: dict, **declared: tuple[str, ...]) -> Any:
    return _ctx(chain, deployments, build, "RentVaultV3", Reinitializer("initializeV3", (100,), (), **declared))


def _failed(report: Any) -> dict[str, str]:
    return {c.name: c.detail for c in report.checks if not c.ok}


def _reviewed(chain: Any, anvil: Any, ctx: Any, calls: list[Call], plan: dict | None = None) -> tuple[list[str], dict]:
    """review --simulate of a batch of ``calls`` (with --plan when given): red kinds, simulation JSON."""
    nonce = safe_contract(chain.w3, chain.safe).functions.nonce().call()
    batch = copy.deepcopy(build_batch_file(chain_id=31337, safe=chain.safe, calls=calls, name="upgrade"))
    batch["meta"]["nonce"] = str(nonce)
    rctx = ReviewContext(manifest=ctx.manifest(), build_info=ctx.build_info, plan=plan)
    report = review(subject_from_json(json.loads(json.dumps(add_checksum(batch))), "batch.json"), rctx)
    sim = simulate_review(report, rctx, anvil.url, root=chain.config.root)
    return [w.kind for w in sim.warnings if w.severity == "red"], sim.to_json()


def _plan_calls(plan: dict) -> list[Call]:
    return [Call(c["to"], c["data"], int(c["value"])) for c in plan["calls"]]


def test_a_v3_applied_to_a_v1_proxy_skipping_the_v2_reinitializer_is_red(chain, anvil, deployments, fixture_build):
    ctx = _v3(chain, deployments, fixture_build)
    plan = make_plan(ctx, only=["RentVault"])
    failed = _failed(simulate(ctx, plan))
    assert set(failed) == {"RentVault: reinitialization", "RentVault: left-unset"}, failed
    assert "version went 1 -> 3" in failed["RentVault: reinitialization"]
    assert "initializeV2 (reinitializer(2)) never ran" in failed["RentVault: reinitialization"]
    assert "_gracePeriod (read at contracts/fixtures/RentVaultV3.sol:" in failed["RentVault: left-unset"]
    assert "_minDeposit" not in failed["RentVault: left-unset"]  # initializeV3 set it

    red, sim = _reviewed(chain, anvil, ctx, _plan_calls(plan))  # review --simulate without --plan sees it too
    assert {"incomplete-reinitialization", "left-unset-after-upgrade"} <= set(red), red
    assert any(f["check"] == "reinitialization" and not f["ok"] for f in sim["probes"])


def test_the_same_v3_with_the_skip_and_the_zero_declared_is_green(chain, anvil, deployments, fixture_build):
    ctx = _v3(chain, deployments, fixture_build, skips=("initializeV2",), unset=("_gracePeriod",))
    plan = make_plan(ctx, only=["RentVault"])
    assert plan["upgrades"][0]["init"]["skips"] == ["initializeV2"] and plan["upgrades"][0]["init"]["unset"] == ["_gracePeriod"]
    report = simulate(ctx, plan)
    assert report.ok, _failed(report)
    assert "initializeV2 declared unnecessary" in {c.name: c.detail for c in report.checks}["RentVault: reinitialization"]

    red, _ = _reviewed(chain, anvil, ctx, _plan_calls(plan), plan)
    assert not {"incomplete-reinitialization", "left-unset-after-upgrade"} & set(red), red


def test_a_skip_naming_no_reinitializer_of_the_target_is_refused_at_plan_time(chain, deployments, fixture_build):
    with pytest.raises(InputError, match=r"reinitializer\.skips: initializeV9 is no reinitializer of RentVaultV3"):
        make_plan(_v3(chain, deployments, fixture_build, skips=("initializeV9",)), only=["RentVault"])


def test_a_v2_that_leaves_initialize_callable_after_the_batch_is_red(chain, anvil, deployments, fixture_build):
    reinit = Reinitializer("initializeV2", (500, 259200), ("_lateFeeBps", "_gracePeriod"))
    ctx = _ctx(chain, deployments, fixture_build, "RentVaultReopen", reinit)
    plan = make_plan(ctx, only=["RentVault"], unsafe_allow=frozenset({"non-increasing-reinitializer"}))
    failed = _failed(simulate(ctx, plan))
    assert list(failed) == ["RentVault: initializers-closed"], failed  # the implementation itself is locked
    assert "initialize(address,address,address,address) succeeds from a stranger" in failed["RentVault: initializers-closed"]

    red, _ = _reviewed(chain, anvil, ctx, _plan_calls(plan), plan)
    assert "reinitializable-after-upgrade" in red, red


def test_the_demo_v2_passes_every_probe(make_ctx):
    report = simulate(make_ctx(), make_plan(make_ctx()))
    assert report.ok, _failed(report)
    checks = {c.name: c.detail for c in report.checks}
    for name in ("PropertyRegistry", "RentVault"):
        assert checks[f"{name}: reinitialization"] == "version 1 -> 2; ran or declared: initializeV2"
        assert "initialize(" in checks[f"{name}: initializers-closed"] and "succeeds" not in checks[f"{name}: initializers-closed"]
    assert checks["authority"].startswith("owners, admins and privileged roles stay with the recorded governance")


def _grant(chain: Any, build: dict, role: str, account: str) -> Call:
    hub = chain.w3.eth.contract(abi=artifacts.find(build, "AccessHub").abi)
    data = hub.encode_abi("grantRole", [keccak(role.encode()), account])
    return Call(chain.address("AccessHub"), data, 0)


def test_a_batch_that_also_grants_an_admin_role_to_an_eoa_is_red(chain, anvil, make_ctx, fixture_build):
    ctx = make_ctx(build_info=fixture_build)
    upgrade = _plan_calls(make_plan(ctx))
    red, sim = _reviewed(chain, anvil, ctx, [*upgrade, _grant(chain, fixture_build, "ADMIN_ROLE", EOA)])
    assert "authority-granted" in red, red
    detail = next(f["detail"] for f in sim["probes"] if f["check"] == "authority")
    assert f"grants ADMIN_ROLE to {EOA}" in detail and chain.safe in detail

    for harmless in (_grant(chain, fixture_build, "MANAGER_ROLE", EOA), _grant(chain, fixture_build, "ADMIN_ROLE", chain.safe)):
        red, sim = _reviewed(chain, anvil, ctx, [*upgrade, harmless])
        assert "authority-granted" not in red, red
        assert next(f for f in sim["probes"] if f["check"] == "authority")["ok"]


def test_a_reinitializer_granting_admin_to_the_safe_keeps_authority(chain, deployments, fixture_build):
    modules = dict(chain.config.modules)
    modules["AccessHub"] = replace(modules["AccessHub"], target="AccessHubGrant",
                                   reinitializer=Reinitializer("initializeV2", (), ("_roles", "_roleMemberCount")), smoke=())
    ctx = network_context(replace(chain.config, modules=modules), chain.w3, fixture_build, deployments)
    report = simulate(ctx, make_plan(ctx, only=["AccessHub"]))
    assert report.ok, _failed(report)
    assert "1 role grant(s) in the batch" in {c.name: c.detail for c in report.checks}["authority"]
