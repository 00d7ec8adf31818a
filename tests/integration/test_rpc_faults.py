"""The endpoint pool's rules, against real Anvil behind the fault proxy (tests/fault_proxy.py):
failover, a whole-command deadline, chain id checks, safety reads that must agree, a lagging
endpoint that never decides a verdict, and API keys that never leave the process."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from fault_proxy import ChainId, Delay, Drop, FaultProxy, Hang, Status
from integration_helpers import assert_bad_input, network_context
from upgrader.chain.rpc import IMPLEMENTATION_SLOT, connect
from upgrader.errors import InputError, UnsafeError
from upgrader.stages.status import status

pytestmark = pytest.mark.chain

KEY = "k3yS3cr3tA1chemyXyZ0987"
ROOT = Path(__file__).resolve().parents[2]  # stands for a provider's API key in the URL path


@pytest.fixture
def proxies(anvil: Any) -> Any:
    with FaultProxy(anvil.url) as a, FaultProxy(anvil.url) as b:
        yield a, b


def states(report: Any) -> dict[str, str]:
    return {p.name: p.state for p in report.proxies}


def ctx_on(chain: Any, deployments: Any, urls: list[str]) -> Any:
    w3 = connect(urls, chain_id=31337)
    return network_context(chain.config, w3, chain.build_info, deployments)


EXPECTED = {"AccessHub": "in_sync", "PropertyRegistry": "pending", "RentVault": "pending"}


@pytest.mark.parametrize("fault", [Drop(), Status(429), Status(503), Hang()], ids=["drop", "429", "503", "hang"])
def test_reads_fail_over_to_the_second_endpoint(chain, deployments, proxies, fault):
    a, b = proxies
    a.fault("*", fault).fault("eth_chainId", Delay(0))  # answers the probe, fails every read
    ctx = ctx_on(chain, deployments, [a.url(f"/v2/{KEY}"), b.url()])
    if isinstance(fault, Hang):
        ctx.w3.provider.pool.call_timeout_s = 1.0
    assert states(status(ctx)) == EXPECTED
    assert "eth_getStorageAt" in b.methods()
    assert ctx.w3.provider.pool.primary.url == b.url()  # the failed one went to the back


def test_all_endpoints_failing_ends_with_one_line_naming_them(chain, deployments, proxies, capsys):
    a, b = proxies
    for p in proxies:
        p.fault("*", Status(502)).fault("eth_chainId", Delay(0))
    ctx = ctx_on(chain, deployments, [a.url(f"/v2/{KEY}"), b.url(f"/?apikey={KEY}")])
    ctx.w3.provider.pool.failure_budget_s = 2.0
    with pytest.raises(InputError) as err:
        status(ctx)
    text = str(err.value) + capsys.readouterr().err
    assert a.url("/…").replace("/…", "") in text and "HTTP 502" in text
    assert KEY not in text


def test_half_hung_endpoint_ends_the_command_within_15_s_exit_2(cli, proxies):
    a, _ = proxies
    a.fault("*", Hang()).fault("eth_chainId", Delay(0))
    started = time.monotonic()
    result = cli.run("status", "--json", env={"UPGRADER_RPC_LOCAL": a.url(f"/v2/{KEY}")})
    elapsed = time.monotonic() - started
    line = assert_bad_input(result, "RPC endpoints failed")
    assert elapsed < 15, elapsed
    assert a.url("/…") in line and KEY not in line


def test_chain_id_is_checked_against_every_endpoint(cli, proxies):
    a, b = proxies
    b.fault("eth_chainId", ChainId(11155111))
    both = f"{a.url()},{b.url(f'/v2/{KEY}')}"
    line = assert_bad_input(cli.run("status", env={"UPGRADER_RPC_LOCAL": both}), "chain 11155111")
    assert b.url("/…") in line and KEY not in line
    # the config's chain_id against a single endpoint too
    line = assert_bad_input(cli.run("status", env={"UPGRADER_RPC_LOCAL": b.url(f"/v2/{KEY}")}), "chain_id")
    assert KEY not in line


def test_disagreeing_endpoints_are_exit_1_naming_both(cli, chain, anvil):
    from upgrader.chain import anvil as anvil_mod

    with anvil_mod.fork(anvil.url, root=ROOT) as other, FaultProxy(other.url) as b, FaultProxy(anvil.url) as a:
        proxy = chain.manifest.proxy("RentVault").address
        fake = "0x" + "00" * 12 + "ab" * 20
        other_w3 = connect(other.url)
        other_w3.provider.make_request("anvil_setStorageAt", [proxy, hex(IMPLEMENTATION_SLOT), fake])
        result = cli.run("status", "--json", env={"UPGRADER_RPC_LOCAL": f"{a.url(f'/v2/{KEY}')},{b.url()}"})
    assert result.exit_code == 1, result.stderr
    assert result.stdout == "" or json.loads(result.stdout)["error"]["kind"] == "unsafe"
    assert KEY not in result.stdout
    assert "disagree" in result.stderr and a.url("/…") in result.stderr and b.url().rstrip("/") in result.stderr
    assert KEY not in result.stderr


def test_a_lagging_endpoint_never_decides_the_verdict(chain, deployments, proxies, capsys):
    from test_status_plan_simulate import out_of_band_upgrade

    a, b = proxies
    chain.w3.provider.make_request("anvil_mine", [hex(5)])  # the laggard's head is after the deployment
    a.lag(3)
    before = {"AccessHub": "in_sync", "PropertyRegistry": "pending", "RentVault": "pending"}
    assert states(status(ctx_on(chain, deployments, [a.url()]))) == before
    impl = out_of_band_upgrade(chain, "RentVault", "RentVaultV2")  # mines blocks the laggard has not seen
    alone = status(ctx_on(chain, deployments, [a.url()]))
    assert states(alone)["RentVault"] == "pending", "the fault proxy should make a stale view"
    for order in ([a.url(), b.url()], [b.url(), a.url()]):
        report = {p.name: p for p in status(ctx_on(chain, deployments, order)).proxies}
        assert report["RentVault"].state == "drift" and report["RentVault"].implementation == impl
    assert "could not answer at block" in capsys.readouterr().err


def test_fork_url_is_not_on_the_command_line(anvil, proxies, monkeypatch):
    from upgrader.chain import anvil as anvil_mod

    a, _ = proxies
    started = []
    real_start = anvil_mod.start
    monkeypatch.setattr(anvil_mod, "start", lambda *args, **kw: started.append(real_start(*args, **kw)) or started[-1])
    with anvil_mod.fork(a.url(f"/v2/{KEY}"), root=ROOT) as node:
        cmdline = open(f"/proc/{node.proc.pid}/cmdline", "rb").read().decode()
        environ = open(f"/proc/{node.proc.pid}/environ", "rb").read().decode()
        forked = connect(node.url)
        assert forked.eth.block_number >= connect(anvil.url).eth.block_number
        assert forked.eth.get_code(connect(anvil.url).eth.accounts[0]) is not None
    assert KEY not in cmdline and "--fork-url" in cmdline
    assert KEY in environ  # the child has it, and only there
    assert any(path == f"/v2/{KEY}" for path, _ in a.requests), "the fork did not read through the proxy"


def test_redact_hides_every_secret_part():
    from upgrader.chain.redact import redact, scrub

    assert redact("http://127.0.0.1:8545") == "http://127.0.0.1:8545"
    assert redact(f"https://eth-sepolia.g.example.com/v2/{KEY}") == "https://eth-sepolia.g.example.com/…"
    assert redact(f"https://user:{KEY}@node.example:8443/") == "https://node.example:8443/…"
    assert redact(f"https://node.example/?apikey={KEY}") == "https://node.example/…"
    url = f"https://node.example/rpc/{KEY}"
    assert KEY not in scrub(f"failed: 429 for url: {url} (path rpc/{KEY})", [url])
    data = json.dumps({"url": redact(url)})
    assert KEY not in data


def test_rpc_takes_a_list_and_a_network_without_rpc_is_one_line(cli, proxies, fixture_root):
    import shutil

    import yaml

    from upgrader import config as cfg
    from integration_helpers import one_line_error

    a, b = proxies
    original = fixture_root / "ape-config.yaml"
    saved = original.read_text()
    data = yaml.safe_load(saved)
    data["upgrader"]["networks"]["pair"] = {"rpc": [a.url(f"/v2/{KEY}"), b.url()], "chain_id": 31337}
    data["upgrader"]["networks"]["norpc"] = {"chain_id": 11155111}
    try:
        original.write_text(yaml.safe_dump(data, sort_keys=False))
        assert cfg.load(fixture_root).network("pair").rpc_urls() == [a.url(f"/v2/{KEY}"), b.url()]
        missing = cli.run("status", "--network", "norpc", env={"UPGRADER_RPC_NORPC": ""})
        assert missing.exit_code == 2 and missing.stdout == ""
        assert "no `rpc:`" in one_line_error(missing.stderr)
        assert cli.run("status", "--json").exit_code == 0  # the other networks still work
        shutil.copytree(cli.deployments / "local", cli.deployments / "pair")
        edited = json.loads((cli.deployments / "pair" / "manifest.json").read_text())
        edited["network"] = "pair"
        (cli.deployments / "pair" / "manifest.json").write_text(json.dumps(edited))
        listed = cli.run("status", "--network", "pair", "--json")
        assert listed.exit_code == 0, listed.stderr
        assert {p["name"]: p["state"] for p in json.loads(listed.stdout)["proxies"]} == EXPECTED
        assert "eth_getStorageAt" in a.methods() and "eth_getStorageAt" in b.methods()  # cross-checked on both
    finally:
        original.write_text(saved)
