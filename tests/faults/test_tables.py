"""Tables for people never cut an address, a hash or a file location, at 80 columns or wider;
paths in messages stay on one line."""

from __future__ import annotations

import json
import re

import pytest
from faults_helpers import planned

pytestmark = pytest.mark.chain

WIDTHS = ["80", "120", "200"]


def _whole(text: str, tokens: list[str]) -> None:
    assert "…" not in text, text
    lines = text.splitlines()
    for token in tokens:
        assert any(token in line for line in lines), f"{token} is not whole on one line of:\n{text}"


@pytest.mark.parametrize("columns", WIDTHS)
def test_status(cli, columns):
    report = json.loads(cli.run("status", "--json").stdout)
    result = cli.run("status", env={"COLUMNS": columns})
    assert result.exit_code == 0, result.stderr
    _closed(result.stdout, columns)
    _whole(result.stdout, [report["safe"], *(p["address"] for p in report["proxies"]),
                           *(p["implementation"] for p in report["proxies"])])
    for proxy in report["proxies"]:  # the proxy kind, as --json names it, on the proxy's row
        row = next(ln for ln in result.stdout.splitlines() if proxy["address"] in ln) if columns == "200" else result.stdout
        assert re.search(rf"(^|[\s│┃:]){re.escape(proxy['kind'])}($|[\s│┃])", row, re.M), result.stdout


@pytest.mark.parametrize("columns", WIDTHS)
def test_plan(cli, columns):
    result = cli.run("plan", env={"COLUMNS": columns})
    assert result.exit_code == 0, result.stderr
    (path,) = cli.plans.glob("0x*.json")
    plan = json.loads(path.read_text())
    _whole(result.stdout, [plan["plan_hash"], str(path), *(u["to"]["implementation"] for u in plan["upgrades"])])


def _closed(text: str, columns: str) -> None:
    """No table row wider than the terminal and each closed by its right border (rich crops a
    row it laid out too wide, cutting what is in its last columns). Other lines (the vertical
    layout, paths) are left whole for the terminal to wrap."""
    for line in text.splitlines():
        if line.startswith(("│", "┃", "┏", "┡", "└")):
            assert len(line) <= int(columns), f"{len(line)} > {columns}: {line}"
            assert line.rstrip()[-1] in "│┃┓┩┘", f"a cropped row: {line}"


@pytest.mark.parametrize("columns", ["80", "120"])
def test_simulate_checks(cli, columns):
    path, plan = planned(cli)
    result = cli.run("simulate", str(path), env={"COLUMNS": columns})
    assert result.exit_code == 0, result.stderr
    report = json.loads((cli.plans / f"{plan['plan_hash']}.simulation.json").read_text())
    _closed(result.stdout, columns)
    words = {w for c in report["checks"] for w in (c["name"] + " " + c["detail"]).split() if w.startswith("0x")}
    _whole(result.stdout, [plan["plan_hash"], *sorted(words)])


@pytest.mark.parametrize("columns", WIDTHS)
def test_layout_show_locations(cli, columns):
    data = json.loads(cli.run("layout", "show", "RentVaultV2", "--json").stdout)
    locations = sorted({i["location"] for i in data["storage"] if i.get("location")})
    assert locations
    result = cli.run("layout", "show", "RentVaultV2", env={"COLUMNS": columns})
    assert result.exit_code == 0, result.stderr
    _whole(result.stdout, locations)


def test_wide_terminal_keeps_the_table(cli):
    result = cli.run("status", env={"COLUMNS": "200"})
    assert re.search(r"[│┃]", result.stdout), result.stdout


@pytest.mark.parametrize("columns", WIDTHS)
def test_review_calls(cli, columns, service):
    path, plan = planned(cli)
    from simulated import simulation_report_for_cli

    simulation_report_for_cli(cli, path, plan)
    h = json.loads(cli.run("propose", str(path), "--json").stdout)["safe_tx_hash"]
    result = cli.run("review", h, "--offline", env={"COLUMNS": columns})
    assert result.exit_code == 0, result.stdout
    _whole(result.stdout, [h, str(cli.folder / "proposals" / f"{h}.json"), *(c["to"] for c in plan["calls"])])
