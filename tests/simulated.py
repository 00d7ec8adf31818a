"""Simulation reports for tests come from running ``simulate`` itself (issue 18: no hand-written
stand-ins for our own outputs). A plan is simulated once per session and its report reused for
every test that plans the same thing (the session chain is restored to one snapshot between
tests, so the same plan has the same hash); the report file a test gets is the one ``simulate``
wrote.

A failing report is real too: the Safe gets one more owner and a threshold of all of them, above
the number of owners the plan approves with, on the test chain, just for the simulation (restored by an EVM snapshot), so
``execTransaction`` reverts in the fork exactly as it would on chain.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

_REPORTS: dict[tuple[str, bool], bytes] = {}
_EXTRA_OWNER = "0x000000000000000000000000000000000000bEEF"  # no one holds its key


@contextmanager
def _threshold_raised(w3: Any, safe: str) -> Iterator[None]:
    """Add one owner and require every owner, so no set of the plan's approvers is enough,
    whatever threshold and owners the chain holds when this runs."""
    from upgrader.chain.rpc import send

    snap = w3.provider.make_request("evm_snapshot", [])["result"]
    w3.provider.make_request("anvil_impersonateAccount", [safe])
    w3.provider.make_request("anvil_setBalance", [safe, hex(10**18)])
    try:
        abi = [{"type": "function", "name": "getOwners", "inputs": [], "outputs": [{"name": "", "type": "address[]"}],
                "stateMutability": "view"},
               {"type": "function", "name": "addOwnerWithThreshold", "outputs": [], "stateMutability": "nonpayable",
                "inputs": [{"name": "owner", "type": "address"}, {"name": "t", "type": "uint256"}]}]
        contract = w3.eth.contract(address=safe, abi=abi)
        count = len(contract.functions.getOwners().call())
        send(w3, contract.functions.addOwnerWithThreshold(_EXTRA_OWNER, count + 1).build_transaction({"from": safe}))
        yield
    finally:
        w3.provider.make_request("evm_revert", [snap])


def _run(ctx: Any, plan: dict[str, Any], ok: bool) -> bytes:
    from upgrader.stages.simulate import simulate, simulation_path, write_simulation

    if ok:
        report = simulate(ctx, plan)
    else:
        with _threshold_raised(ctx.w3, plan["safe"]["address"]):
            report = simulate(ctx, plan)
    assert report.ok is ok, report.to_json()
    write_simulation(ctx, report)
    return simulation_path(ctx.plans_dir, plan["plan_hash"]).read_bytes()


def simulation_report(ctx: Any, plan: dict[str, Any], ok: bool = True) -> Path:
    """The report ``simulate`` writes for ``plan`` (passing, or failing at execTransaction)."""
    from upgrader.manifest.store import atomic_write
    from upgrader.stages.simulate import simulation_path

    key = (plan["plan_hash"], ok)
    if key not in _REPORTS:
        _REPORTS[key] = _run(ctx, plan, ok)
    path = simulation_path(ctx.plans_dir, plan["plan_hash"])
    atomic_write(path, _REPORTS[key].decode())
    return path


def simulation_report_for_cli(cli: Any, plan_path: Path, plan: dict[str, Any], ok: bool = True) -> Path:
    """The same for a test that drives the CLI: ``upgrader simulate PLAN --json`` on its network."""
    import json

    from upgrader.chain.rpc import connect
    from upgrader.manifest.store import atomic_write
    from upgrader.stages.simulate import simulation_path

    key = (plan["plan_hash"], ok)
    path = simulation_path(cli.plans, plan["plan_hash"])
    if key not in _REPORTS:
        def run() -> None:
            result = cli.run("simulate", str(plan_path), "--json")
            assert result.exit_code == (0 if ok else 1) and result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception) + result.stdout + result.stderr
            assert path.is_file() and json.loads(path.read_text())["ok"] is ok, result.stdout + result.stderr

        if ok:
            run()
        else:
            with _threshold_raised(connect(cli.env["UPGRADER_RPC_LOCAL"]), plan["safe"]["address"]):
                run()
        _REPORTS[key] = path.read_bytes()
    atomic_write(path, _REPORTS[key].decode())
    return path
