"""The plan's batch executed through the Safe on the fork that upgrades, by the project's one
fork runner (``sim.runner.run_safe_tx``: owners approve the hash on chain, nested owner Safes
approve through their own ``execTransaction``, the Safe's nonce, owners and guard apply).

On Anvil every upgrade goes through the runner. In pyrevm the runner runs once per session,
through a web3 provider over the EVM (``engine.revm_rpc``); what it sent (each transaction's
sender, target, calldata and ether, in order) is recorded, and later examples send exactly
those transactions, which spares web3's ~25 ms per upgrade. They are the same transactions
because nothing a fuzzed call can reach changes their inputs: the SafeTx hash is fixed by the
plan and the Safe's nonce, and the fuzzer never calls the Safe. Each replay is judged as the
runner judges: every approval succeeds, then ``execTransaction`` succeeds without the Safe's
``ExecutionFailure``."""

from __future__ import annotations

from typing import Any

from upgrader.fuzz.engine import Engine, Outcome
from upgrader.fuzz.target import Target
from upgrader.keccak import keccak

EXECUTION_FAILURE = keccak(b"ExecutionFailure(bytes32,uint256)")
Sent = tuple[str, str, bytes, int]  # sender, to, calldata, wei


class Upgrade:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.recorded: list[Sent] | None = None

    def run(self, engine: Engine) -> dict[str, Any]:
        """Execute the batch on ``engine``; the runner's ``Execution.to_json()`` (``ok``,
        ``revert``, ...), with ``replayed`` True when the recorded transactions were sent."""
        if engine.name == "revm" and self.recorded is not None:
            return self._replay(engine)
        from upgrader.sim.runner import run_safe_tx

        w3 = engine.web3()
        rpc = getattr(w3.provider, "rpc", None)
        if rpc is not None:
            rpc.sent.clear()
            rpc.wrote_storage = False
        execution = run_safe_tx(w3, self.target.safe, self.target.safe_tx).to_json()
        if rpc is not None and execution["ok"] and not rpc.wrote_storage:
            self.recorded = [(tx["from"], tx["to"], _bytes(tx.get("data") or tx.get("input")), _int(tx.get("value")))
                             for tx, _, _ in rpc.sent.values()]
        return {**execution, "replayed": False}

    def _replay(self, engine: Engine) -> dict[str, Any]:
        assert self.recorded is not None
        *approvals, execute = self.recorded
        out = {"safe": self.target.safe, "ok": False, "revert": None, "replayed": True}
        for sender, to, data, value in approvals:
            if not engine.transact(sender, to, data, value).ok:
                return {**out, "revert": f"owner {sender} could not approve the batch's hash"}
        sender, to, data, value = execute
        result = engine.transact(sender, to, data, value)
        if not result.ok or _failed_inside(result, self.target.safe):
            return {**out, "revert": _reason(result)}
        return {**out, "ok": True}


def _failed_inside(result: Outcome, safe: str) -> bool:
    return any(log.address == safe and log.topics[:1] == (EXECUTION_FAILURE,) for log in result.logs)


def _reason(result: Outcome) -> str:
    from upgrader.sim.reasons import decode_revert

    if result.ok:
        return "the Safe reported ExecutionFailure"
    return "execution halted" if result.halt else decode_revert(result.data)


def _bytes(text: str | None) -> bytes:
    return bytes.fromhex(text[2:]) if text and text.startswith("0x") else b""


def _int(text: Any) -> int:
    return int(text, 16) if isinstance(text, str) else int(text or 0)
