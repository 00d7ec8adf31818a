"""Issue 18, the exception tree (``upgrader.errors``): each engine failure reaches the CLI as one
line with its exit code and, under --json, its kind: an outage is ``unavailable`` (not bad
input), a node answering with an error is ``node``, a missing part of the install is ``setup``,
a chain without a contract we need is ``input``. Real Anvil, real commands; the node's errors
come from tests/fault_proxy.py in front of it."""

from __future__ import annotations

import json
import os
import sys
import time

import pytest
from fault_proxy import FaultProxy, RpcError
from faults_helpers import one_error_line, planned

pytestmark = pytest.mark.chain


def _json_error(result, code: int, kind: str) -> str:
    assert result.exit_code == code, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}\n{result.exception!r}"
    line = one_error_line(result.stderr)
    assert json.loads(result.stdout) == {"error": {"kind": kind, "message": line.removeprefix("error: ")}}
    return line


def test_an_unreachable_rpc_is_an_outage_not_bad_input(cli):
    began = time.monotonic()
    result = cli.run("status", "--json", env={"UPGRADER_RPC_LOCAL": "http://127.0.0.1:9"})
    line = _json_error(result, 2, "unavailable")
    assert "unreachable" in line and "127.0.0.1:9" in line, line
    assert time.monotonic() - began < 60


def test_create2_deploys_fail_as_the_tree_says(chain):
    """chain.create2.ensure_deployed (the local system's deploys) on real Anvil: a chain without the
    CREATE2 deployer is InputError naming it and what to do; init code that reverts is
    TransactionFailed (exit 1, kind unsafe); neither a bare RuntimeError any more."""
    from upgrader.chain.create2 import DEPLOYER, ensure_deployed
    from upgrader.cli.common.output import error_kind
    from upgrader.errors import InputError, TransactionFailed

    sender = chain.w3.eth.accounts[0]
    with pytest.raises(TransactionFailed, match="revert") as reverted:
        ensure_deployed(chain.w3, sender, bytes.fromhex("60006000fd"))  # PUSH1 0 PUSH1 0 REVERT
    assert reverted.value.exit_code == 1 and error_kind(reverted.value) == "unsafe"
    chain.w3.provider.make_request("anvil_setCode", [DEPLOYER, "0x"])  # the `chain` fixture reverts it
    with pytest.raises(InputError, match="deploy it first") as missing:
        ensure_deployed(chain.w3, sender, bytes.fromhex("600a600c600039600a6000f3602a60005260206000f3"))
    assert DEPLOYER in str(missing.value) and missing.value.exit_code == 2 and error_kind(missing.value) == "input"


def test_a_node_answering_an_rpc_error_is_kind_node(cli, anvil):
    """The fork's upstream answers eth_getStorageAt with a JSON-RPC error (a pruned node's "header
    not found"): `simulate` is one line, exit 2, kind node, naming the upstream redacted (was
    Web3RPCError, exit 1, with a traceback)."""
    path, _ = planned(cli)
    with FaultProxy(anvil.url) as proxy:
        proxy.fault("eth_getStorageAt", RpcError(-32000, "header not found"))
        result = cli.run("simulate", str(path), "--json", env={"UPGRADER_RPC_LOCAL": proxy.url("/key/secret0123456789")})
    line = _json_error(result, 2, "node")
    assert "header not found" in line and "fork's RPC http://127.0.0.1:" in line, line
    assert "secret0123456789" not in result.stdout + result.stderr
    assert not list(cli.plans.glob("*.simulation.json")), "a simulation report was written"


def test_rpc_errors_of_the_engines_are_node_errors(anvil):
    """chain.rpcbatch.read_slots and sim.diff.prestate_diff against a node that answers their
    method with an error: NodeError (exit 2, kind node) naming the node redacted, not RuntimeError."""
    from upgrader.chain.rpc import connect
    from upgrader.chain.rpcbatch import read_slots
    from upgrader.errors import NodeError
    from upgrader.sim.diff import prestate_diff

    with FaultProxy(anvil.url) as proxy:
        proxy.fault("eth_getStorageAt", RpcError(-32000, "missing trie node"))
        proxy.fault("debug_traceTransaction", RpcError(-32601, "the method debug_traceTransaction does not exist"))
        url = proxy.url("/key/secret0123456789")
        with pytest.raises(NodeError, match="missing trie node") as slots:
            read_slots(url, "0x" + "11" * 20, [0, 1])
        with pytest.raises(NodeError, match="does not exist") as trace:
            prestate_diff(connect(url), "0x" + "22" * 32)
    for exc in (slots.value, trace.value):
        assert exc.exit_code == 2 and exc.kind == "node" and "secret0123456789" not in str(exc)


def test_ape_safe_missing_is_a_setup_error(cli, tmp_path):
    """Without ape-safe (hidden from the import system in a real process), `safe create` says to
    run `make install`: exit 2, kind setup (was RuntimeError)."""
    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['ape_safe'] = None\n")
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    proc = cli.spawn("safe", "create", "--owners", "0x" + "11" * 20, "--threshold", "1", "--json", env=env)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, (out, err)
    line = one_error_line(err)
    assert json.loads(out)["error"]["kind"] == "setup" and "make install" in line, (out, err)
    assert sys.executable  # the same interpreter as the tests (cli.spawn)
