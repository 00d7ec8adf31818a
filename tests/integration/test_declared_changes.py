"""A reinitializer declares the existing state it may change (issue 26): `simulate` and
`review --simulate` show every write the batch makes to a proxy's storage, decoded; writes
within the declared variables are intended, any other write to existing state is red and
named. Real fixtures: AccessHubGrant (makes the governance Safe an admin: writes `_roles` and
`_roleMemberCount`) and RentVaultResetTotal (zeroes `_totalEscrowed`), compiled by solc."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

import pytest
from integration_helpers import network_context

from upgrader.config import Reinitializer
from upgrader.deploy.seed import seed_demo_data
from upgrader.errors import InputError
from upgrader.safe import Call, add_checksum, build_batch_file
from upgrader.sim.safe_exec import safe_contract
from upgrader.stages.plan import make_plan
from upgrader.stages.planfile import write_plan
from upgrader.stages.review.report import ReviewContext, review
from upgrader.stages.review.simulate.fork import simulate_review
from upgrader.stages.review.subject import subject_from_json
from upgrader.stages.simulate import simulate, write_simulation

pytestmark = pytest.mark.chain

ADMIN_ROLE_WRITES = {"_roles", "_roleMemberCount"}


def _ctx(chain: Any, deployments: Any, build: dict, module: str, target: str, function: str, args: tuple, changes: tuple) -> Any:
    modules = dict(chain.config.modules)
    modules[module] = replace(modules[module], target=target, reinitializer=Reinitializer(function, args, changes), smoke=())
    return network_context(replace(chain.config, modules=modules), chain.w3, build, deployments)


def _hub(chain: Any, deployments: Any, build: dict, changes: tuple) -> Any:
    return _ctx(chain, deployments, build, "AccessHub", "AccessHubGrant", "initializeV2", (), changes)


def _reviewed(chain: Any, anvil: Any, ctx: Any, plan: dict, simulated: Any, with_plan: bool = True) -> tuple[Any, dict]:
    """review --plan --simulate of the plan's batch, as a signer would run it (beside the plan's
    simulation report, as `upgrader simulate` wrote it)."""
    path = write_plan(plan, ctx.plans_dir)
    write_simulation(ctx, simulated)
    nonce = safe_contract(chain.w3, chain.safe).functions.nonce().call()
    calls = [Call(c["to"], c["data"], int(c["value"])) for c in plan["calls"]]
    batch = copy.deepcopy(build_batch_file(chain_id=31337, safe=chain.safe, calls=calls, name="upgrade"))
    batch["meta"]["nonce"] = str(nonce)
    rctx = ReviewContext(manifest=ctx.manifest(), build_info=ctx.build_info, plan=plan if with_plan else None,
                         plan_path=path if with_plan else None)
    report = review(subject_from_json(json.loads(json.dumps(add_checksum(batch))), "batch.json"), rctx)
    sim = simulate_review(report, rctx, anvil.url, root=chain.config.root)
    report.warnings.extend(sim.warnings)
    return report, sim.to_json()


def _red(report: Any) -> list[Any]:
    return [w for w in report.warnings if w.severity == "red"]


def test_a_declared_role_grant_to_the_safe_is_green_in_simulate_and_review(chain, anvil, deployments, fixture_build):
    ctx = _hub(chain, deployments, fixture_build, ("_roles", "_roleMemberCount"))
    plan = make_plan(ctx, only=["AccessHub"])
    assert plan["upgrades"][0]["init"]["changes"] == ["_roleMemberCount", "_roles"]  # recorded, so in the plan hash
    report = simulate(ctx, plan)
    assert report.ok, [c.to_json() for c in report.checks if not c.ok]
    intended = {w["variable"] for w in report.writes if w["verdict"] == "intended"}
    assert intended == ADMIN_ROLE_WRITES
    grant = next(w for w in report.writes if w["variable"] == "_roles")
    assert chain.safe in grant["name"] and (grant["before"], grant["after"]) == ("false", "true")
    preserved = next(c for c in report.checks if c.name == "AccessHub: storage-preservation")
    assert "_roleMemberCount, _roles" in preserved.detail

    reviewed, sim = _reviewed(chain, anvil, ctx, plan, report)
    assert not _red(reviewed), _red(reviewed)
    assert {w["variable"] for w in sim["state_writes"] if w["verdict"] == "intended"} == ADMIN_ROLE_WRITES


def test_the_same_grant_undeclared_is_red_naming_roles(chain, anvil, deployments, fixture_build):
    ctx = _hub(chain, deployments, fixture_build, ())
    plan = make_plan(ctx, only=["AccessHub"])
    report = simulate(ctx, plan)
    failed = [c for c in report.checks if not c.ok]
    assert [c.name for c in failed] == ["AccessHub: storage-preservation"]
    assert "(_roleMemberCount, _roles)" in failed[0].detail and chain.safe in failed[0].detail

    reviewed, _ = _reviewed(chain, anvil, ctx, plan, report)
    red = [w for w in _red(reviewed) if w.kind != "simulation-failed"]  # the plan's own simulation failed too
    assert {w.kind for w in red} == {"undeclared-state-change"}
    assert any("_roles" in w.message and chain.safe in w.message for w in red)


def test_the_declared_grant_reviewed_without_its_plan_is_red_and_says_how_to_give_it_one(chain, anvil, deployments, fixture_build):
    # without a plan nothing declares the grant (a true red); the message says what to do
    ctx = _hub(chain, deployments, fixture_build, ("_roles", "_roleMemberCount"))
    plan = make_plan(ctx, only=["AccessHub"])
    reviewed, _ = _reviewed(chain, anvil, ctx, plan, simulate(ctx, plan), with_plan=False)
    red = _red(reviewed)
    assert {w.kind for w in red} == {"undeclared-state-change", "proxy-changed-unplanned"}, red
    hint = "no plan declares it: make one with `upgrader plan` (or pass --plan FILE), then review again"
    undeclared = [w for w in red if w.kind == "undeclared-state-change"]
    assert any("_roles" in w.message for w in undeclared) and all(w.message.endswith(hint) for w in undeclared), undeclared


def test_a_reinitializer_zeroing_a_preserved_counter_is_red_although_its_settings_are_declared(chain, anvil, deployments, fixture_build):
    seed_demo_data(chain.w3, chain.manifest, chain.build_info)
    escrowed = chain.contract("RentVault").functions.totalEscrowed().call()
    assert escrowed > 0
    ctx = _ctx(chain, deployments, fixture_build, "RentVault", "RentVaultResetTotal", "initializeV2", (500, 259200),
               ("_lateFeeBps", "_gracePeriod"))
    plan = make_plan(ctx, only=["RentVault"])
    report = simulate(ctx, plan)
    failed = [c for c in report.checks if not c.ok]
    assert [c.name for c in failed] == ["RentVault: storage-preservation"]
    assert "(_totalEscrowed)" in failed[0].detail and f"{escrowed} -> 0" in failed[0].detail
    assert {w["variable"] for w in report.writes if w["verdict"] == "intended"} == {"_lateFeeBps", "_gracePeriod"}

    reviewed, _ = _reviewed(chain, anvil, ctx, plan, report)
    red = [w for w in _red(reviewed) if w.kind != "simulation-failed"]
    assert [w.kind for w in red] == ["undeclared-state-change"] and "_totalEscrowed" in red[0].message


def test_a_change_naming_no_variable_is_refused_at_plan_time(chain, deployments, fixture_build):
    ctx = _hub(chain, deployments, fixture_build, ("_rolez",))
    with pytest.raises(InputError, match=r"reinitializer\.changes: _rolez is no variable of AccessHub or AccessHubGrant"):
        make_plan(ctx, only=["AccessHub"])


def test_the_demo_v2_declares_what_its_reinitializers_change(chain, make_ctx):
    """The demo config's `changes` are true: its plan simulates green and every declared
    variable is written (none is declared for nothing)."""
    ctx = make_ctx()
    plan = make_plan(ctx)
    report = simulate(ctx, plan)
    assert report.ok, [c.to_json() for c in report.checks if not c.ok]
    for u in plan["upgrades"]:
        written = {w["variable"] for w in report.writes if w["proxy"] == u["proxy"] and w["verdict"] == "intended"}
        assert u["init"]["changes"] and written == set(u["init"]["changes"]), (u["proxy"], report.writes)
