"""Seeds and runners for the hostile-input tests: valid Safe files made by our own writers,
and the CLI run in-process (outside any project, so only the file decides the outcome) or as
a real process (for FIFOs, devices and usage errors)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils import keccak
from typer.testing import CliRunner

from upgrader.cli.main import app
from upgrader.safe import Call, add_checksum, build_batch_file
from upgrader.safe.abi_values import method_from_abi
from upgrader.safe.multisend import Batch
from upgrader.safe.tx import SafeTx

CHAIN_ID = 31337
SAFE = "0xBbA193834C351eEC02433A3A724aF2f3246F44Ac"
MSCO = "0x9641d764fc13c8B624c04430C7356C1C7C8102e2"  # canonical MultiSendCallOnly 1.4.1
TARGET = "0x0165878A594ca255338adfa4d48449f69242Eb8F"
OTHER = "0x2279B7A0a67DB372996a5FaB50D91eAA73d2eBe6"
SET_FEE = {"type": "function", "name": "setFee", "stateMutability": "nonpayable",
           "inputs": [{"name": "fee", "type": "uint16", "internalType": "uint16"},
                      {"name": "who", "type": "address[]", "internalType": "address[]"}]}
TIME_BOUND_S = 15.0
runner = CliRunner()


def set_fee_call(fee: int, who: list[str]) -> Call:
    data = keccak(text="setFee(uint16,address[])")[:4] + abi_encode(["uint16", "address[]"], [fee, who])
    return Call(TARGET, data)


def seed_batch(nonce: int = 7) -> dict[str, Any]:
    """A two-call Transaction Builder batch: one call with its ABI shown, one without."""
    calls = [set_fee_call(250, [OTHER, TARGET]), Call(OTHER, bytes.fromhex("12345678"), 5)]
    batch = build_batch_file(chain_id=CHAIN_ID, safe=SAFE, calls=calls, methods=[method_from_abi(SET_FEE), None],
                             name="fuzz", created_at_ms=1700000000000)
    batch["meta"]["nonce"] = str(nonce)
    return add_checksum(batch)


def seed_safe_tx(nonce: int = 3) -> dict[str, Any]:
    """A raw SafeTx (the service's shape + safe and chainId): a DELEGATECALL to MultiSendCallOnly."""
    tx = Batch([set_fee_call(1, [OTHER]), Call(OTHER, b"", 10**18)]).to_safe_tx(MSCO, nonce)
    return {**tx.to_json(), "safe": SAFE, "chainId": str(CHAIN_ID)}


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    seconds: float
    exception: BaseException | None = None

    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)


def review_text(folder: Path, text: str | bytes, *args: str, name: str = "input.json") -> Outcome:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    return run_cli(["review", str(path), "--offline", *args])


def run_cli(args: list[str]) -> Outcome:
    """The typer app in this process (cwd must be outside a project: see the fixtures)."""
    start = time.monotonic()
    result = runner.invoke(app, args, env={"COLUMNS": "140"})
    seconds = time.monotonic() - start
    exc = result.exception if not isinstance(result.exception, SystemExit) else None
    return Outcome(result.exit_code, result.stdout, result.stderr, seconds, exc)


def run_process(args: list[str], cwd: Path, timeout: float = TIME_BOUND_S) -> Outcome:
    """``upgrader ARGS`` as a real process, as a signer runs it."""
    start = time.monotonic()
    env = {**os.environ, "COLUMNS": "140"}
    proc = subprocess.run([sys.executable, "-m", "upgrader.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env, stdin=subprocess.DEVNULL)
    return Outcome(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)


def assert_one_line_input_error(out: Outcome, *needles: str) -> None:
    assert out.exception is None, f"{type(out.exception).__name__}: {out.exception}"
    assert out.exit_code == 2, (out.exit_code, out.stdout[-500:], out.stderr[-500:])
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr[-1000:]
    assert "Traceback" not in out.stderr + out.stdout
    assert out.seconds < TIME_BOUND_S
    for needle in needles:
        assert needle in lines[0], lines[0]
