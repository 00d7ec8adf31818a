"""Each hostile file of issue 15, one test each: exit 2 with one line within 15 s, or red
where the file is well-formed but dangerous."""

from __future__ import annotations

import copy
import json
import os
import threading
from pathlib import Path

import pytest
from fuzz_helpers import (
    CHAIN_ID, MSCO, SAFE, assert_one_line_input_error, review_text, run_cli, run_process, seed_batch, seed_safe_tx,
)

from upgrader.safe.multisend import MULTISEND_SELECTOR
from upgrader.safe.tx import SafeTx


def dumps(obj) -> str:
    return json.dumps(obj)


def batch_with(change) -> str:
    batch = copy.deepcopy(seed_batch())
    change(batch)
    return dumps(batch)


def raw_with(**fields) -> str:
    return dumps({**seed_safe_tx(), **fields})


WRONG_TYPES = {
    "safeTxHash-number": (raw_with(safeTxHash=5), "safe_tx_hash"),
    "safeTxHash-object": (raw_with(safeTxHash={}), "safe_tx_hash"),
    "batch-safeTxHash-number": (batch_with(lambda b: b.update(safeTxHash=5)), "safeTxHash"),
    "contractMethod-string": (batch_with(lambda b: b["transactions"][0].update(contractMethod="foo")), "contractMethod"),
    "inputs-number-items": (batch_with(lambda b: b["transactions"][0]["contractMethod"].update(inputs=[1])), "inputs[0]"),
    "inputs-string": (batch_with(lambda b: b["transactions"][0]["contractMethod"].update(inputs="abc")), "inputs"),
    "input-type-number": (batch_with(lambda b: b["transactions"][0]["contractMethod"]["inputs"][0].update(type=5)), "type"),
    "input-type-not-abi": (batch_with(lambda b: b["transactions"][0]["contractMethod"]["inputs"][0].update(type="uint7")), "ABI type"),
    "transactions-object": (batch_with(lambda b: b.update(transactions={})), "transactions"),
    "meta-number": (batch_with(lambda b: b.update(meta=5)), "meta"),
    "operation-2": (raw_with(operation=2), "operation"),
    "to-number": (raw_with(to=5), "to"),
}


@pytest.mark.parametrize("name", sorted(WRONG_TYPES))
def test_known_field_of_the_wrong_type(outside, name):
    text, needle = WRONG_TYPES[name]
    assert_one_line_input_error(review_text(outside, text), needle)


NUMBERS = {
    "5000-digit-json-number": (raw_with(nonce=0).replace('"nonce": 0', '"nonce": ' + "9" * 5000), "5000 digits"),
    "5000-digit-string": (raw_with(value="9" * 5000), "value"),
    "over-uint256": (raw_with(value=str(2**256)), "value"),
    "arabic-indic-nonce": (raw_with(nonce="٧١"), "nonce"),
    "arabic-indic-value": (raw_with(value="١٢٣"), "value"),
    "underscore-value": (raw_with(value="1_000"), "value"),
    "fullwidth-chain-id": (raw_with(chainId="３１３３７"), "chain"),
    "batch-arabic-nonce": (batch_with(lambda b: b["meta"].update(nonce="٧")), "nonce"),
    "batch-underscore-value": (batch_with(lambda b: b["transactions"][1].update(value="1_0")), "value"),
    "abi-arg-arabic-digits": (batch_with(lambda b: b["transactions"][0]["contractInputsValues"].update(fee="٢٥٠")), None),
    "float-nonce": (raw_with(nonce=3.0), "nonce"),
    "bool-value": (raw_with(value=True), "value"),
    "nan": (raw_with(value=0).replace('"value": 0', '"value": NaN'), "NaN"),
}


@pytest.mark.parametrize("name", sorted(NUMBERS))
def test_numbers_only_ascii_within_uint256(outside, name):
    text, needle = NUMBERS[name]
    out = review_text(outside, text, "--json")
    if needle is None:  # a shown argument that is not a number: the display is red, never read as 250
        assert out.exit_code == 1 and out.exception is None
        assert "display-mismatch" in {w["kind"] for w in out.json()["warnings"]}
        return
    assert_one_line_input_error(out, needle)


def test_duplicate_keys_are_refused(outside):
    text = raw_with().replace('"to": ', '"to": "0x0000000000000000000000000000000000000001", "to": ', 1)
    assert_one_line_input_error(review_text(outside, text), "'to' appears twice")
    nested = dumps(seed_batch()).replace('"nonce": ', '"nonce": "1", "nonce": ', 1)
    assert_one_line_input_error(review_text(outside, nested), "appears twice")


def test_two_spellings_of_one_field_are_refused(outside):
    assert_one_line_input_error(review_text(outside, raw_with(baseGas="0", dataGas="5")), "both given")


DEEP = {
    "100k-brackets": "[" * 100_000 + "]" * 100_000,
    "100k-unclosed": "[" * 100_000,
    "deep-meta": None,  # built below: a meta nested 600 deep, under a checksum
    "deep-json-string-argument": None,
}


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_nesting(outside, name):
    text = DEEP[name]
    if name == "deep-meta":
        batch = seed_batch()
        inner: dict = {}
        cursor = inner
        for _ in range(600):
            cursor["x"] = {}
            cursor = cursor["x"]
        batch["meta"]["extra"] = inner  # (its checksum field stays: the reader refuses before any check)
        text = dumps(batch)
    elif name == "deep-json-string-argument":
        batch = seed_batch()
        batch["transactions"][0]["contractInputsValues"]["who"] = "[" * 50_000 + "]" * 50_000
        text = dumps(batch)
    out = review_text(outside, text)
    assert_one_line_input_error(out, "nested")


def test_not_utf8_and_lone_surrogates(outside):
    assert_one_line_input_error(review_text(outside, b"\xff\xfe{}"), "not UTF-8")
    assert_one_line_input_error(review_text(outside, raw_with(origin="\\ud800").replace("\\\\ud800", "\\ud800")), "surrogate")


def test_directory_is_refused(outside):
    (outside / "dir.json").mkdir()
    assert_one_line_input_error(run_cli(["review", str(outside / "dir.json"), "--offline"]), "directory")


def test_dev_zero_ends_at_once(outside):
    out = run_process(["review", "/dev/zero", "--offline"], outside)
    assert_one_line_input_error(out, "character device")


def test_fifo_without_writer_does_not_hang(outside):
    fifo = outside / "pipe.json"
    os.mkfifo(fifo)
    out = run_process(["review", str(fifo), "--offline"], outside)
    assert_one_line_input_error(out, "FIFO")
    out = run_process(["simulate", str(fifo)], outside)  # the plan reader too
    assert_one_line_input_error(out, "FIFO")


def test_oversized_file_is_refused_before_reading(outside):
    path = outside / "huge.json"
    with open(path, "wb") as f:
        f.truncate(65 * 1024 * 1024)  # sparse: nothing is written or read
    assert_one_line_input_error(run_cli(["review", str(path), "--offline"]), "over the 64.0 MiB limit")


@pytest.mark.parametrize("args, needle", [
    (["review", "x.json", "--nonce", "abc"], "error: --nonce: not a number; see `upgrader review --help`"),
    (["safe-hash", "--chain-id", "1", "--safe", SAFE, "--to", SAFE], "error: --nonce: missing; see `upgrader safe-hash --help`"),
    (["review", "--jsonn"], "no such option: --jsonn"),
    (["revieww"], "no such command"),
])
def test_usage_errors_are_one_line(outside, args, needle):
    out = run_process(args, outside)
    assert_one_line_input_error(out)
    assert needle in out.stderr


def test_safe_hash_refuses_non_ascii_digits(outside):
    out = run_cli(["safe-hash", "--chain-id", "1", "--safe", SAFE, "--to", SAFE, "--nonce", "٧١"])
    assert_one_line_input_error(out, "nonce")


# -- red, not refused ---------------------------------------------------------------------------

def _empty_batch_tx(to: str = MSCO) -> dict:
    from eth_abi import encode as abi_encode

    tx = SafeTx(to=to, data=MULTISEND_SELECTOR + abi_encode(["bytes"], [b""]), operation=1, nonce=4)
    return {**tx.to_json(), "safe": SAFE, "chainId": str(CHAIN_ID)}


def test_empty_batch_by_delegatecall_is_red(outside):
    out = review_text(outside, dumps(_empty_batch_tx()), "--json")
    assert out.exit_code == 1, out.stderr
    assert "empty-batch" in {w["kind"] for w in out.json()["warnings"] if w["severity"] == "red"}
    human = review_text(outside, dumps(_empty_batch_tx()))
    assert "EMPTY MultiSend" in human.stdout and "DO NOT SIGN" in human.stdout


def test_pre_130_safe_gets_the_chain_id_notice(outside):
    text = dumps(seed_safe_tx())
    old = review_text(outside, text, "--json", "--safe-version", "1.2.0").json()
    assert "domain-without-chain-id" in {w["kind"] for w in old["warnings"] if w["severity"] == "yellow"}
    new = review_text(outside, text, "--json", "--safe-version", "1.3.0").json()
    assert "domain-without-chain-id" not in {w["kind"] for w in new["warnings"]}


def test_large_batch_human_view_is_a_summary_unless_all(outside):
    """The human view of a big MultiSend: a summary, the first 20 calls and warnings of each
    kind, a count of the rest; --all lists every call and warning (timings: benchmarks/)."""
    from upgrader.safe.multisend import Batch, Call

    calls = [Call("0x%040x" % (0x1000 + i), bytes.fromhex("a9059cbb"), 0) for i in range(300)]
    tx = Batch(calls).to_safe_tx(MSCO, 9)
    text = dumps({**tx.to_json(), "safe": SAFE, "chainId": str(CHAIN_ID)})
    short = review_text(outside, text)
    assert short.exit_code == 1 and short.exception is None
    assert "301 in total" in short.stdout and "281 more calls not shown" in short.stdout
    assert "280 more untrusted-target warnings not shown" in short.stdout
    calls_part = short.stdout.lower().split("more calls not shown")[0]
    assert "0x0000000000000000000000000000000000001012" in calls_part  # call 0.19, the last shown
    assert "0x0000000000000000000000000000000000001013" not in calls_part
    full = review_text(outside, text, "--all")
    assert full.exit_code == 1
    assert all(f"0x{0x1000 + i:040x}" in full.stdout.lower() for i in range(300)) and "not shown" not in full.stdout
