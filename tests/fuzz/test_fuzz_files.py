"""Hypothesis mutates valid batch files, SafeTx files, plans and manifests (type swaps,
deletions, huge numbers, deep nesting, Unicode digits, duplicate keys, and neutral edits) and
holds upgrader to: exit 0, 1 or 2 only; never a traceback; one line for exit 2; a time bound;
neutral edits give the unmutated result; every accepted file means what an independent
reading of it says (``oracle``), with hashes from safe-eth-py.

``UPGRADER_FUZZ_EXAMPLES`` sets the examples per target (default 30, derandomized for
``make test``); ``benchmarks/fuzz_long.py`` runs a long random profile and reports timings."""

from __future__ import annotations

import atexit
import json
import os
import time
from pathlib import Path
from typing import Any

import oracle
import pytest
from fuzz_helpers import (
    CHAIN_ID, MSCO, SAFE, TIME_BOUND_S, Outcome, review_text, run_cli, seed_batch, seed_safe_tx,
)
from hypothesis import HealthCheck, given, settings
from mutations import Mutated, mutated

from upgrader.errors import InputError

EXAMPLES = int(os.environ.get("UPGRADER_FUZZ_EXAMPLES", "30"))
LONG = "UPGRADER_FUZZ_EXAMPLES" in os.environ
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not LONG, database=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
TIMINGS: list[dict[str, Any]] = []


def _report() -> None:
    path = os.environ.get("UPGRADER_FUZZ_REPORT")
    if path and TIMINGS:
        Path(path).write_text(json.dumps(TIMINGS))


atexit.register(_report)


def record(target: str, m: Mutated, out: Outcome) -> None:
    TIMINGS.append({"target": target, "kind": m.kind, "path": [str(p) for p in m.path], "seconds": out.seconds,
                    "exit": out.exit_code, "bytes": len(m.text)})


def strict(text: str) -> Any:
    """The mutated file as the oracle reads it: duplicate keys refused, like any careful reader."""
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({k for k, _ in items}) != len(items):
            raise oracle.Refused("duplicate key")
        return dict(items)

    try:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=lambda c: (_ for _ in ()).throw(oracle.Refused(c)))
    except (ValueError, RecursionError) as exc:
        raise oracle.Refused(f"not JSON: {type(exc).__name__}") from None


def assert_contract(out: Outcome, m: Mutated) -> None:
    assert out.exception is None, f"{m.kind} at {m.path}: {type(out.exception).__name__}: {out.exception}"
    assert out.exit_code in (0, 1, 2), (m.kind, m.path, out.exit_code, out.stderr[-400:])
    assert "Traceback" not in out.stdout + out.stderr
    assert out.seconds < TIME_BOUND_S, (m.kind, m.path, out.seconds)
    if out.exit_code == 2:
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (m.kind, m.path, out.stderr[-600:])


def comparable(report: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in report.items() if k != "source"}
    if out.get("plan"):
        out["plan"] = {k: v for k, v in out["plan"].items() if k != "path"}
    return out


_BASE: dict[str, tuple[int, dict[str, Any]]] = {}


def base_result(key: str, run) -> tuple[int, dict[str, Any]]:
    """The unmutated file's result, computed once per target."""
    if key not in _BASE:
        out = run()
        _BASE[key] = (out.exit_code, comparable(out.json()))
    return _BASE[key]


# -- raw SafeTx files ---------------------------------------------------------------------------

SAFE_TX = seed_safe_tx()


@FUZZ
@given(m=mutated(SAFE_TX))
def test_fuzz_safe_tx_file(outside, m):
    base = base_result("safe-tx", lambda: review_text(outside, json.dumps(SAFE_TX), "--json", name="base.json"))
    out = review_text(outside, m.text, "--json")
    record("safe-tx", m, out)
    assert_contract(out, m)
    if m.neutral:
        assert (out.exit_code, comparable(out.json())) == base, m.kind
    if out.exit_code in (0, 1):
        try:
            fields = oracle.safe_tx_fields(strict(m.text))
        except oracle.Refused as exc:
            pytest.fail(f"{m.kind} at {m.path}: accepted a file the independent reading refuses ({exc})")
        report = out.json()
        assert oracle.reported_fields(report) == fields
        assert report["safe_tx_hash"] == oracle.safe_tx_hash(fields)


# -- Transaction Builder batch files ------------------------------------------------------------

BATCH = seed_batch()


def expected_batch(obj: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The SafeTx a batch file stands for (one call: a CALL; more: a DELEGATECALL to the
    canonical MultiSendCallOnly 1.4.1) and whether every entry states its data."""
    meta = obj["meta"]
    nonce = obj.get("nonce")
    nonce = meta.get("nonce") if nonce is None or nonce == "" else nonce
    entries = [(oracle.address(e["to"]), oracle.number(e.get("value")), oracle.hexdata(e.get("data")))
               for e in obj["transactions"]]
    complete = all(e.get("data") not in (None, "") for e in obj["transactions"])
    if len(entries) == 1:
        to, value, data, op = entries[0][0], entries[0][1], entries[0][2], 0
    else:
        to, value, data, op = MSCO.lower(), 0, oracle.multisend_data(entries), 1
    fields = {"to": to, "value": value, "data": data, "operation": op, "safe_tx_gas": 0, "base_gas": 0, "gas_price": 0,
              "gas_token": oracle.ZERO, "refund_receiver": oracle.ZERO,
              "nonce": None if nonce in (None, "") else oracle.number(nonce, empty_is_zero=False),
              "safe": oracle.address(meta["createdFromSafeAddress"]), "chain_id": oracle.number(obj["chainId"], False)}
    return fields, complete


@FUZZ
@given(m=mutated(BATCH))
def test_fuzz_batch_file(outside, m):
    base = base_result("batch", lambda: review_text(outside, json.dumps(BATCH), "--json", name="base.json"))
    out = review_text(outside, m.text, "--json")
    record("batch", m, out)
    assert_contract(out, m)
    if m.neutral and m.kind in ("reorder", "whitespace"):  # other edits change the file's checksum
        assert (out.exit_code, comparable(out.json())) == base, m.kind
    if out.exit_code in (0, 1):
        report = out.json()
        try:
            fields, complete = expected_batch(strict(m.text))
        except (oracle.Refused, KeyError, TypeError, AttributeError) as exc:
            pytest.fail(f"{m.kind} at {m.path}: accepted a batch the independent reading refuses ({exc!r})")
        assert (report["safe"].lower(), report["chain_id"], report["nonce"]) == (fields["safe"], fields["chain_id"], fields["nonce"])
        if fields["nonce"] is None:
            assert report["safe_tx_hash"] is None
            return
        got = oracle.reported_fields(report)
        if complete:
            assert got == fields
        assert report["safe_tx_hash"] == oracle.safe_tx_hash(got)


# -- plans (read by review --plan) ----------------------------------------------------------------

def seed_plan() -> dict[str, Any]:
    from upgrader.stages.planfile import PLAN_SCHEMA, seal

    calls = [{"to": e["to"], "value": e["value"], "operation": 0, "data": e["data"], "description": f"call {i}"}
             for i, e in enumerate(BATCH["transactions"])]
    impl = "0x" + "ab" * 20
    return seal({
        "schema": PLAN_SCHEMA, "network": "local", "chain_id": CHAIN_ID, "manifest_hash": "0x" + "11" * 32,
        "safe": {"address": SAFE, "version": "1.4.1", "threshold": 1, "owners": [SAFE], "multisend_call_only": MSCO},
        "git": {"commit": "0" * 40, "dirty": False},
        "upgrades": [{"proxy": "Vault", "address": calls[0]["to"],
                      "from": {"implementation": impl, "contract": "a.sol:A", "code_hash": "0x" + "22" * 32},
                      "to": {"implementation": impl, "contract": "b.sol:B", "code_hash": "0x" + "33" * 32,
                             "create2_salt": "0x" + "00" * 32, "already_deployed": True},
                      "init": {"function": None, "data": "0x"},
                      "check": {"ok": True, "errors": [], "warnings": []}, "declared_changes": []}],
        "calls": calls,
    })


PLAN = seed_plan()


def resealed(text: str) -> str | None:
    from upgrader.manifest import canonical_json
    from upgrader.stages.planfile import plan_hash

    try:
        obj = strict(text)
        if not isinstance(obj, dict):
            return None
        return canonical_json({**obj, "plan_hash": plan_hash(obj)})
    except (oracle.Refused, ValueError, TypeError, RecursionError):
        return None


def plan_matches(obj: dict[str, Any]) -> bool:
    calls = [(oracle.address(c["to"]), oracle.number(c["value"], False), oracle.hexdata(c["data"]),
              oracle.operation(c.get("operation", 0))) for c in obj["calls"]]
    batch = [(oracle.address(e["to"]), oracle.number(e["value"]), oracle.hexdata(e["data"]), 0) for e in BATCH["transactions"]]
    multisend = obj["safe"].get("multisend_call_only")  # the batch was rebuilt through MSCO
    same_multisend = len(calls) == 1 or (multisend is not None and oracle.address(multisend) == MSCO.lower())
    return (calls == batch and same_multisend and oracle.address(obj["safe"]["address"]) == SAFE.lower()
            and oracle.number(obj["chain_id"], False) == CHAIN_ID)


@FUZZ
@given(m=mutated(PLAN), reseal=__import__("hypothesis").strategies.booleans())
def test_fuzz_plan_file(outside, m, reseal):
    batch = outside / "batch.json"
    batch.write_text(json.dumps(BATCH))
    (outside / "base-plan.json").write_text(json.dumps(PLAN))
    base = base_result("plan", lambda: run_cli(["review", str(batch), "--plan", str(outside / "base-plan.json"), "--offline", "--json"]))
    text = (resealed(m.text) or m.text) if reseal and not m.neutral else m.text
    (outside / "plan.json").write_text(text, encoding="utf-8", errors="surrogatepass")
    out = run_cli(["review", str(batch), "--plan", str(outside / "plan.json"), "--offline", "--json"])
    record("plan", m, out)
    assert_contract(out, m)
    if m.neutral and m.kind in ("reorder", "whitespace"):  # the plan's hash is over its canonical form
        assert (out.exit_code, comparable(out.json())) == base, m.kind
    if out.exit_code in (0, 1):
        try:
            expected = plan_matches(strict(text))
        except (oracle.Refused, KeyError, TypeError, AttributeError) as exc:
            pytest.fail(f"{m.kind} at {m.path}: accepted a plan the independent reading refuses ({exc!r})")
        assert out.json()["plan"]["matches"] is expected


# -- manifests (the store's read path) ------------------------------------------------------------

def seed_manifest() -> dict[str, Any]:
    from upgrader.manifest import Implementation, Manifest, ProxyRecord, SafeRecord, UpgradeRecord

    impl = Implementation(address="0x" + "ab" * 20, contract="a.sol:A", code_hash="0x" + "22" * 32,
                          storage_layout={"storage": [{"label": "x", "slot": "0", "offset": 0, "type": "t_uint256"}],
                                          "types": {"t_uint256": {"label": "uint256", "numberOfBytes": "32"}}},
                          deploy_tx="0x" + "33" * 32, block=12)
    history = [UpgradeRecord(from_implementation="0x" + "cd" * 20, to_implementation="0x" + "ab" * 20, to_contract="a.sol:A",
                             plan_hash="0x" + "44" * 32, safe_tx_hash="0x" + "55" * 32, tx="0x" + "66" * 32, block=13)]
    proxy = ProxyRecord(name="Vault", address="0x" + "ef" * 20, deploy_block=3, implementation=impl, history=history)
    safe = SafeRecord(address=SAFE, version="1.4.1", owners=[SAFE], threshold=1, multisend_call_only=MSCO)
    return Manifest(network="local", chain_id=CHAIN_ID, safe=safe, proxies=[proxy], extras={"Token": "0x" + "12" * 20}).to_json()


MANIFEST = seed_manifest()


def agrees(read: Any, written: Any) -> bool:
    """Everything the file states is what was read (same types too: no "5" read as 5)."""
    if isinstance(written, dict):
        return isinstance(read, dict) and all(k in read and agrees(read[k], v) for k, v in written.items())
    if isinstance(written, list):
        return isinstance(read, list) and len(read) == len(written) and all(map(agrees, read, written))
    return type(read) is type(written) and read == written


@FUZZ
@given(m=mutated(MANIFEST))
def test_fuzz_manifest(outside, m):
    from upgrader.manifest import ManifestStore

    store = ManifestStore(outside / "deployments", "local")
    store.folder.mkdir(parents=True, exist_ok=True)
    store.path.write_text(m.text, encoding="utf-8", errors="surrogatepass")
    start = time.monotonic()
    try:
        loaded = store.load()
    except InputError as exc:
        loaded, error = None, str(exc)
    else:
        error = None
    seconds = time.monotonic() - start
    record("manifest", m, Outcome(2 if error else 0, "", error or "", seconds))
    assert seconds < TIME_BOUND_S
    if error is not None:
        assert "\n" not in error
        return
    try:
        written = strict(m.text)
    except oracle.Refused as exc:
        pytest.fail(f"{m.kind} at {m.path}: the store read a manifest that is not strict JSON ({exc})")
    assert agrees(loaded.to_json(), written), (m.kind, m.path)
