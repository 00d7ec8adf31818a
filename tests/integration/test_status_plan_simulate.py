"""`status`, `plan` and `simulate` end to end on the session Anvil (V1 under a 2-of-3 Safe).

Library calls get a NetworkContext on network "test" with a private copy of the deployments
folder; CLI calls run through typer's CliRunner on network `local`, pointed at the same
Anvil (UPGRADER_RPC_LOCAL) and a private manifest copy (UPGRADER_DEPLOYMENTS), with the
fixture project (real contracts + tests/integration/fixtures) as UPGRADER_PROJECT."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from eth_utils import to_checksum_address

from integration_helpers import (
    SMOKE,
    UPGRADED,
    VERIFY_CHECKS,
    assert_bad_input,
    edit_manifest,
    layout_item,
    one_line_error,
)
from upgrader.build import artifacts
from upgrader.chain import create2
from upgrader.chain.rpc import code_at, implementation_of, send
from upgrader.sim.safe_exec import impersonate
from upgrader.deploy.seed import seed_demo_data
from upgrader.errors import InputError, UnsafeError
from upgrader.manifest import canonical_json, manifest_hash
from upgrader.stages.plan import INITIALIZABLE_SLOT, make_plan
from upgrader.stages.planfile import load_plan, plan_hash, write_plan
from upgrader.stages.simulate import key_candidates, simulate, simulation_path, write_simulation
from upgrader.stages.status import status
from upgrader.sim.storage import LayoutFields, mapping_slot


def out_of_band_upgrade(chain: Any, proxy: str, contract: str) -> str:
    """What someone with the Safe's power does outside upgrader: deploy, then upgradeToAndCall."""
    art = artifacts.find(chain.build_info, contract)
    impl, _, _ = create2.ensure_deployed(chain.w3, chain.deployer, art.initcode)
    impersonate(chain.w3, chain.safe)
    fn = chain.contract(proxy).functions.upgradeToAndCall(impl, b"")
    send(chain.w3, fn.build_transaction({"from": chain.safe}))
    chain.w3.provider.make_request("anvil_stopImpersonatingAccount", [chain.safe])
    return impl


# -- status ------------------------------------------------------------------------------------

def test_status_v1_in_sync_and_v2_pending(chain, make_ctx):
    report = status(make_ctx())
    by_name = {p.name: p for p in report.proxies}
    assert report.network == "test" and report.chain_id == 31337 and report.safe == chain.safe
    assert {n: p.state for n, p in by_name.items()} == {"AccessHub": "in_sync", "PropertyRegistry": "pending", "RentVault": "pending"}
    for record in chain.manifest.proxies:
        p = by_name[record.name]
        assert p.implementation == p.recorded_implementation == record.implementation.address
        assert p.address == record.address
    assert by_name["RentVault"].target_contract == "contracts/v2/RentVaultV2.sol:RentVaultV2"
    assert "RentVaultV2" in by_name["RentVault"].detail


def test_status_drift_after_out_of_band_upgrade(chain, make_ctx):
    impl = out_of_band_upgrade(chain, "RentVault", "RentVaultV2")
    p = {p.name: p for p in status(make_ctx()).proxies}
    assert p["RentVault"].state == "drift"
    assert p["RentVault"].implementation == impl != p["RentVault"].recorded_implementation
    assert impl in p["RentVault"].detail
    assert (p["AccessHub"].state, p["PropertyRegistry"].state) == ("in_sync", "pending")


def test_status_drift_when_code_at_the_recorded_implementation_changes(chain, make_ctx):
    record = chain.manifest.proxy("AccessHub")
    other = artifacts.find(chain.build_info, "RentVault").runtime
    chain.w3.provider.make_request("anvil_setCode", [record.implementation.address, "0x" + other.hex()])
    p = {p.name: p for p in status(make_ctx()).proxies}["AccessHub"]
    assert p.state == "drift" and p.implementation == record.implementation.address
    assert "code hash" in p.detail


def test_status_unknown_when_no_code_at_the_proxy(chain, make_ctx, deployments):
    nowhere = to_checksum_address("0x" + "de" * 20)
    assert not code_at(chain.w3, nowhere)
    edit_manifest(deployments / "test" / "manifest.json",
                  lambda m: m["proxies"][0].update(address=nowhere))  # AccessHub
    p = {p.name: p for p in status(make_ctx()).proxies}
    assert p["AccessHub"].state == "unknown" and p["AccessHub"].implementation == "0x" + "00" * 20
    assert p["PropertyRegistry"].state == "pending"


def test_cli_status_json_and_table(cli):
    result = cli.run("status", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"network", "chain_id", "safe", "proxies"}
    assert data["network"] == "local" and data["chain_id"] == 31337
    states = {p["name"]: p["state"] for p in data["proxies"]}
    assert states == {"AccessHub": "in_sync", "PropertyRegistry": "pending", "RentVault": "pending"}
    for p in data["proxies"]:
        assert {"name", "address", "implementation", "state"} <= set(p)

    table = cli.run("status")
    assert table.exit_code == 0, table.stderr
    rows = {line.split("│")[1].strip(): line for line in table.stdout.splitlines() if line.count("│") >= 5}
    assert "in_sync" in rows["AccessHub"] and "pending" in rows["RentVault"] and "pending" in rows["PropertyRegistry"]


# -- plan --------------------------------------------------------------------------------------

def test_plan_deploys_via_create2_then_upgrades_with_the_reinitializer(chain, make_ctx):
    ctx = make_ctx()
    plan = make_plan(ctx)
    assert plan["plan_hash"] == plan_hash(plan)
    assert plan["manifest_hash"] == manifest_hash(ctx.manifest())
    assert (plan["network"], plan["chain_id"], plan["safe"]["address"], plan["safe"]["threshold"]) == ("test", 31337, chain.safe, 2)
    assert [u["proxy"] for u in plan["upgrades"]] == UPGRADED
    calls = plan["calls"]
    assert [c["to"] for c in calls] == [create2.DEPLOYER, chain.address("PropertyRegistry"), create2.DEPLOYER, chain.address("RentVault")]
    assert all(c["operation"] == 0 and c["value"] == "0" for c in calls)
    for u in plan["upgrades"]:
        target = artifacts.find(chain.build_info, u["to"]["contract"])
        assert u["to"]["implementation"] == create2.address_of(target.initcode)
        assert u["to"]["code_hash"] == target.code_hash and not u["to"]["already_deployed"]
        assert u["from"]["implementation"] == chain.manifest.proxy(u["proxy"]).implementation.address
        assert u["check"]["ok"] and u["init"]["function"] == "initializeV2"
        assert INITIALIZABLE_SLOT in u["declared_changes"]
    rv = plan["upgrades"][1]
    vault = chain.w3.eth.contract(abi=artifacts.find(chain.build_info, "RentVaultV2").abi)
    assert rv["init"]["data"] == vault.encode_abi("initializeV2", [500, 259200])
    assert calls[3]["data"] == vault.encode_abi("upgradeToAndCall", [rv["to"]["implementation"], bytes.fromhex(rv["init"]["data"][2:])])
    # V2 takes slots 6 (_lateFeeBps, _gracePeriod) and 7 (_dueDate) from V1's __gap: declared, nothing else
    assert rv["declared_changes"] == ["0x6", "0x7", INITIALIZABLE_SLOT]
    path = write_plan(plan, ctx.plans_dir)
    assert path.name == f"{plan['plan_hash']}.json"
    assert path.read_text() == canonical_json(plan) + "\n"
    assert load_plan(path) == plan


def test_plan_skips_deployment_when_the_implementation_already_exists(chain, make_ctx):
    art = artifacts.find(chain.build_info, "RentVaultV2")
    create2.ensure_deployed(chain.w3, chain.deployer, art.initcode)
    plan = make_plan(make_ctx(), only=["RentVault"])
    assert [u["proxy"] for u in plan["upgrades"]] == ["RentVault"]
    assert plan["upgrades"][0]["to"]["already_deployed"] is True
    assert [c["to"] for c in plan["calls"]] == [chain.address("RentVault")]


def test_plan_only_unknown_proxy_is_input_error(make_ctx):
    with pytest.raises(InputError, match="--only Nope"):
        make_plan(make_ctx(), only=["Nope"])


def test_nothing_to_plan_when_the_build_is_what_runs(make_ctx):
    assert make_plan(make_ctx(targets={"PropertyRegistry": "PropertyRegistry", "RentVault": "RentVault"})) is None


def test_plan_refused_for_unsafe_v2_with_the_checker_report(make_ctx, fixture_build):
    ctx = make_ctx(targets={"RentVault": "RentVaultUnsafe"}, build_info=fixture_build)
    with pytest.raises(UnsafeError, match="checker rejects") as info:
        make_plan(ctx)
    report = info.value.report
    assert report["ok"] is False
    verdicts = {c["contract"].rsplit(":", 1)[1]: c for c in report["contracts"]}
    assert verdicts["PropertyRegistryV2"]["ok"] is True
    bad = verdicts["RentVaultUnsafe"]
    assert bad["ok"] is False and bad["reference"] == "contracts/v1/RentVault.sol:RentVault"
    inserted = [e for e in bad["errors"] if e["kind"] == "layout-insert"]
    assert "`_lateFeeBps`" in inserted[0]["message"] and inserted[0]["location"].endswith("RentVaultUnsafe.sol:27")
    assert all(e["hint"] for e in bad["errors"])
    assert not ctx.plans_dir.exists()


def test_plan_refused_on_drift(chain, make_ctx):
    out_of_band_upgrade(chain, "RentVault", "RentVaultV2")
    with pytest.raises(UnsafeError, match="drift"):
        make_plan(make_ctx())


def test_cli_plan_unsafe_exits_1_with_report_and_writes_nothing(cli, fixture_config):
    fixture_config({"RentVault": "RentVaultUnsafe"})
    before = cli.files()
    result = cli.run("plan", "--json")
    assert result.exit_code == 1, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["check"]["ok"] is False
    assert [c["ok"] for c in data["check"]["contracts"]] == [True, False]
    assert "layout-insert" in {e["kind"] for e in data["check"]["contracts"][1]["errors"]}
    assert cli.files() == before

    human = cli.run("plan")
    assert human.exit_code == 1
    assert "RentVaultUnsafe" in human.stderr and "layout-insert" in human.stderr and "> Add new variables" in human.stderr
    assert human.stderr.rstrip().splitlines()[-1].startswith("error: upgrade refused") and human.stdout == ""
    assert cli.files() == before


# -- stale plans ---------------------------------------------------------------------------------

def test_simulate_refuses_a_plan_made_against_another_manifest(make_ctx, deployments, fork_spy):
    ctx = make_ctx()
    plan = make_plan(ctx)
    edit_manifest(deployments / "test" / "manifest.json", lambda m: m["extras"].update(Auditor="0x" + "ab" * 20))
    with pytest.raises(InputError, match="stale"):
        simulate(ctx, plan)
    assert fork_spy.started == []  # refused before any fork
    assert not simulation_path(ctx.plans_dir, plan["plan_hash"]).exists()


def test_cli_simulate_stale_plan_exits_2(cli, fork_spy):
    made = cli.run("plan", "--json")
    assert made.exit_code == 0, made.stderr
    path = Path(json.loads(made.stdout)["path"])
    assert path.parent == cli.plans
    # the manifest gains a history entry, as if another upgrade had been executed meanwhile
    edit_manifest(cli.manifest_path, lambda m: m["proxies"][0]["history"].append({
        "from_implementation": m["proxies"][0]["implementation"]["address"],
        "to_implementation": m["proxies"][0]["implementation"]["address"],
        "to_contract": m["proxies"][0]["implementation"]["contract"],
        "plan_hash": "0x" + "00" * 32, "safe_tx_hash": "0x" + "11" * 32, "tx": "0x" + "22" * 32, "block": 1,
    }))
    before = cli.files()
    result = cli.run("simulate", str(path), "--json")
    assert_bad_input(result, "stale")
    assert cli.files() == before and fork_spy.started == []


# -- simulations ---------------------------------------------------------------------------------

def test_walker_covers_the_seeded_state(chain):
    """Preservation is only as good as its slot list: seeded balances and per-landlord
    counters (keys known only from events) are in it."""
    seed_demo_data(chain.w3, chain.manifest, chain.build_info)
    keys = key_candidates(chain.w3, chain.manifest)
    reader = lambda s: int.from_bytes(bytes(chain.w3.eth.get_storage_at(chain.address("RentVault"), s)), "big")  # noqa: E731
    vault_layout, balances = layout_item(chain.manifest, "RentVault", "_balances")
    slots = LayoutFields(vault_layout, keys, read=reader).fields
    for pid in (1, 2, 3):
        assert mapping_slot(pid, balances.slot) in slots
    landlords = chain.w3.eth.accounts[4:7]
    registry_layout, counts = layout_item(chain.manifest, "PropertyRegistry", "propertyCountOf")
    reader = lambda s: int.from_bytes(bytes(chain.w3.eth.get_storage_at(chain.address("PropertyRegistry"), s)), "big")  # noqa: E731
    slots = LayoutFields(registry_layout, keys, read=reader).fields
    for landlord in landlords:
        assert mapping_slot(int(landlord, 16), counts.slot) in slots


def test_simulation_passes_with_named_checks_and_gas_and_stops_its_fork(chain, make_ctx, fork_spy):
    seed_demo_data(chain.w3, chain.manifest, chain.build_info)
    ctx = make_ctx()
    plan = load_plan(write_plan(make_plan(ctx), ctx.plans_dir))
    report = simulate(ctx, plan)
    path = write_simulation(ctx, report)
    assert report.ok, [c for c in report.checks if not c.ok]
    names = [c.name for c in report.checks]
    assert names[0] == "safe-execution"
    for proxy in UPGRADED:
        for check in VERIFY_CHECKS:
            assert f"{proxy}: {check}" in names
        for smoke in SMOKE[proxy]:
            assert f"{proxy}: smoke {smoke}" in names
    preserved = [c.detail for c in report.checks if c.name.endswith("storage-preservation")]
    assert all(int(re.match(r"(\d+) slots", d).group(1)) > 60 for d in preserved), preserved
    assert [g["description"] for g in report.gas] == [c["description"] for c in plan["calls"]] + ["Safe execTransaction (whole batch)"]
    assert all(g["gas"] > 21_000 for g in report.gas)
    saved = json.loads(path.read_text())
    assert path == simulation_path(ctx.plans_dir, plan["plan_hash"])
    assert saved["ok"] is True and saved["plan_hash"] == plan["plan_hash"] and saved["schema"] == "upgrader/simulation@1"
    assert len(fork_spy.started) == 1 and fork_spy.all_stopped()
    # the fork did the upgrade, not the chain it forked
    assert implementation_of(chain.w3, chain.address("RentVault")) == chain.manifest.proxy("RentVault").implementation.address


def test_simulation_fails_when_the_reinitializer_wipes_a_balance(chain, make_ctx, fixture_build, fork_spy):
    seed_demo_data(chain.w3, chain.manifest, chain.build_info)
    vault = chain.contract("RentVault")
    assert vault.functions.balanceOf(2).call() > 0
    ctx = make_ctx(targets={"RentVault": "RentVaultEvil"}, build_info=fixture_build)
    plan = make_plan(ctx)  # the layout checker cannot see it
    assert all(u["check"]["ok"] for u in plan["upgrades"])
    report = simulate(ctx, plan)
    assert not report.ok
    failed = [c for c in report.checks if not c.ok]
    assert [c.name for c in failed] == ["RentVault: storage-preservation"]
    _, balances = layout_item(chain.manifest, "RentVault", "_balances")
    assert f"_balances[2] (slot {mapping_slot(2, balances.slot):#x})" in failed[0].detail
    assert failed[0].detail.startswith("1 slot(s)")
    assert len(fork_spy.started) == 1 and fork_spy.all_stopped()
    assert vault.functions.balanceOf(2).call() > 0  # the real chain is untouched


def test_cli_plan_then_simulate_passes(chain, cli, fork_spy):
    seed_demo_data(chain.w3, chain.manifest, chain.build_info)
    made = cli.run("plan", "--json")
    assert made.exit_code == 0, made.stderr
    out = json.loads(made.stdout)
    path = Path(out["path"])
    assert path == cli.plans / f"{out['plan_hash']}.json" and load_plan(path) == out["plan"]
    result = cli.run("simulate", str(path), "--json")
    assert result.exit_code == 0, result.stderr + result.stdout
    data = json.loads(result.stdout)
    assert data["ok"] is True and all(c["ok"] for c in data["checks"])
    assert Path(data["path"]) == simulation_path(cli.plans, out["plan_hash"])
    assert json.loads(Path(data["path"]).read_text())["ok"] is True
    assert fork_spy.started and fork_spy.all_stopped()

    human = cli.run("simulate", str(path))
    assert human.exit_code == 0, human.stderr
    assert "simulation passed" in human.stdout and "RentVault: storage-preservation" in human.stdout


def test_cli_simulate_evil_reinitializer_exits_1(chain, cli, fixture_config, fork_spy):
    seed_demo_data(chain.w3, chain.manifest, chain.build_info)
    fixture_config({"RentVault": "RentVaultEvil"})
    made = cli.run("plan", "--json")
    assert made.exit_code == 0, made.stderr
    result = cli.run("simulate", json.loads(made.stdout)["path"], "--json")
    assert result.exit_code == 1, result.stderr
    data = json.loads(result.stdout)
    failed = [c["name"] for c in data["checks"] if not c["ok"]]
    assert data["ok"] is False and failed == ["RentVault: storage-preservation"]
    assert json.loads(Path(data["path"]).read_text())["ok"] is False
    assert len(fork_spy.started) == 1 and fork_spy.all_stopped()


def test_fork_is_stopped_on_ctrl_c(chain, make_ctx, cli, fork_spy, monkeypatch):
    from upgrader.stages import simulate as sim

    def interrupted(*_: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(sim, "key_candidates", interrupted)
    ctx = make_ctx()
    with pytest.raises(KeyboardInterrupt):
        simulate(ctx, make_plan(ctx))
    assert len(fork_spy.started) == 1 and fork_spy.all_stopped()

    made = cli.run("plan", "--json")
    before = cli.files()
    result = cli.run("simulate", json.loads(made.stdout)["path"], "--json")
    assert result.exit_code == 130
    assert len(fork_spy.started) == 2 and fork_spy.all_stopped()
    assert cli.files() == before


# -- bad input: exit 2, one line, nothing written --------------------------------------------------

@pytest.mark.parametrize("command", [["status"], ["plan"]])
def test_unknown_network(cli, command):
    before = cli.files()
    assert_bad_input(cli.run(*command, "--network", "nope"), "unknown network 'nope'")
    assert cli.files() == before


def test_unreachable_rpc_gives_up_within_10_s_naming_the_endpoint(cli):
    url = "http://127.0.0.1:1"
    t = time.monotonic()
    result = cli.run("status", env={"UPGRADER_RPC_LOCAL": url})
    elapsed = time.monotonic() - t
    assert_bad_input(result, url)
    assert elapsed < 10.0, f"gave up after {elapsed:.2f} s"


def test_unresponsive_rpc_gives_up_within_10_s_naming_the_endpoint():
    """An endpoint that accepts connections but never answers (a firewalled or hung node)."""
    import socket
    import threading

    from upgrader.chain.rpc import connect

    outcome: dict[str, Any] = {}
    with socket.socket() as hole:
        hole.bind(("127.0.0.1", 0))
        hole.listen(64)
        url = f"http://127.0.0.1:{hole.getsockname()[1]}"

        def attempt() -> None:
            t = time.monotonic()
            try:
                connect(url)
            except Exception as exc:  # noqa: BLE001 - recorded and asserted below
                outcome["error"] = exc
            outcome["elapsed"] = time.monotonic() - t

        thread = threading.Thread(target=attempt, daemon=True)
        thread.start()
        thread.join(timeout=10.5)
    assert not thread.is_alive(), f"connect({url}) still waiting after 10.5 s"
    from upgrader.errors import NodeUnavailable

    error = outcome["error"]  # an outage, not bad input (issue 18): exit 2, --json kind unavailable
    assert isinstance(error, NodeUnavailable) and error.exit_code == 2 and url in str(error)


def _chain_id_1(m: dict) -> None:
    m["chain_id"] = 1


@pytest.mark.parametrize("corrupt, expect", [
    (lambda p: edit_manifest(p, _chain_id_1), "chain 1"),
    (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "corrupt"),
    (lambda p: p.write_bytes(b""), "corrupt"),
    (lambda p: p.write_bytes(b"\xff\xfe\x00garbage"), "manifest"),
    (lambda p: p.write_text("[]"), "invalid"),
    (lambda p: edit_manifest(p, lambda m: m.pop("safe")), "invalid at safe"),
    (lambda p: edit_manifest(p, lambda m: m.update(schema="upgrader/manifest@99")), "invalid at schema"),
], ids=["other-chain", "truncated", "empty", "not-utf8", "not-an-object", "missing-safe", "future-schema"])
@pytest.mark.parametrize("command", [["status"], ["plan"]])
def test_bad_manifest(cli, command, corrupt, expect):
    corrupt(cli.manifest_path)
    before = cli.files()
    assert_bad_input(cli.run(*command), expect)
    assert cli.files() == before


PLAN_CORRUPTIONS = {
    "truncated": lambda text: text[: len(text) // 2],
    "empty": lambda text: "",
    "not-json": lambda text: "plan: yes\n",
    "a-list": lambda text: "[]",
    "tampered-field": lambda text: text.replace('"chain_id":31337', '"chain_id":31338'),
    "tampered-call": lambda text: re.sub(r'"value":"0"', '"value":"1"', text, count=1),
    "float-field": lambda text: text.replace('"chain_id":31337', '"chain_id":31337.0'),
    "other-schema": lambda text: text.replace('"upgrader/plan@1"', '"upgrader/plan@2"'),
}


@pytest.mark.parametrize("name", sorted(PLAN_CORRUPTIONS))
def test_bad_plan_file(cli, fork_spy, name):
    made = cli.run("plan", "--json")
    assert made.exit_code == 0, made.stderr
    path = Path(json.loads(made.stdout)["path"])
    corrupted = PLAN_CORRUPTIONS[name](path.read_text())
    assert corrupted != path.read_text()
    path.write_text(corrupted)
    before = cli.files()
    assert_bad_input(cli.run("simulate", str(path), "--json"), "plan")
    assert cli.files() == before and fork_spy.started == []


def test_plan_file_with_a_valid_hash_but_missing_fields(cli, fork_spy, tmp_path):
    from upgrader.stages.planfile import PLAN_SCHEMA, seal

    path = tmp_path / "hollow.json"
    path.write_text(canonical_json(seal({"schema": PLAN_SCHEMA, "upgrades": []})))
    before = cli.files()
    assert_bad_input(cli.run("simulate", str(path)), "plan")
    assert cli.files() == before and fork_spy.started == []


def test_missing_plan_file(cli, tmp_path):
    assert_bad_input(cli.run("simulate", str(tmp_path / "nope.json")), "upgrader plan")


def test_plan_for_an_unknown_network(cli, tmp_path):
    from upgrader.stages.planfile import PLAN_SCHEMA, seal

    made = json.loads(cli.run("plan", "--json").stdout)["plan"]
    path = tmp_path / "elsewhere.json"
    body = {k: v for k, v in made.items() if k != "plan_hash"}
    path.write_text(canonical_json(seal({**body, "network": "nope", "schema": PLAN_SCHEMA})))
    assert_bad_input(cli.run("simulate", str(path)), "unknown network 'nope'")


def test_error_line_helper_rejects_tracebacks():
    """The one-line check itself can fail."""
    assert one_line_error("error: x\n") == "error: x"
    with pytest.raises(AssertionError):
        one_line_error("Traceback (most recent call last):\n  ...\nKeyError: 'x'\n")
    with pytest.raises(AssertionError):
        one_line_error("error: a\nerror: b\n")
