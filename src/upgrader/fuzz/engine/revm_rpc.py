"""A web3 provider over ``RevmEngine``: the JSON-RPC methods ``sim.runner`` uses to run a
SafeTx through the Safe (calls, code, storage, impersonated sends, receipts with logs, the
top frame of a ``callTracer`` trace), answered by the in-process EVM. So the plan's batch runs
through the project's one fork runner on either engine. Anything else is an error reply that
names the method, never a made-up answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from upgrader.constants import ZERO_ADDRESS
from upgrader.fuzz.engine import GAS, Outcome
from upgrader.keccak import keccak

if TYPE_CHECKING:
    from upgrader.fuzz.engine.revm import RevmEngine

NO_OPS = {"anvil_impersonateAccount", "anvil_stopImpersonatingAccount", "anvil_autoImpersonateAccount",
          "anvil_setNextBlockBaseFeePerGas"}  # revm sends from anyone and charges nothing at gas price 0


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


def _bytes(text: str | None) -> bytes:
    return bytes.fromhex(text[2:]) if text and text.startswith("0x") else b""


def _int(text: Any) -> int:
    return int(text, 16) if isinstance(text, str) else int(text or 0)


class RevmRpc:
    """The methods, each a function of its params; receipts and traces kept per tx hash."""

    def __init__(self, engine: "RevmEngine") -> None:
        self.engine = engine
        self.sent: dict[str, tuple[dict[str, Any], Outcome, int]] = {}
        self.wrote_storage = False  # a slot was set directly (the runner skipping a Safe nonce)

    def answer(self, method: str, params: list[Any]) -> Any:
        if method in NO_OPS:
            return None
        handler = getattr(self, "_" + method, None)
        if handler is None:
            raise LookupError(f"the in-process EVM does not answer {method}")
        return handler(*params)

    def _eth_chainId(self) -> str:
        return hex(self.engine.chain_id)

    def _eth_blockNumber(self) -> str:
        return hex(self.engine.number)

    def _eth_gasPrice(self) -> str:
        return "0x0"

    def _eth_accounts(self) -> list[str]:
        return []

    def _eth_getCode(self, address: str, _block: Any = "latest") -> str:
        return _hex(self.engine.code(address))

    def _eth_getBalance(self, address: str, _block: Any = "latest") -> str:
        return hex(self.engine.balance(address))

    def _eth_getStorageAt(self, address: str, slot: str, _block: Any = "latest") -> str:
        return _hex(self.engine.storage(address, _int(slot)).to_bytes(32, "big"))

    def _anvil_setStorageAt(self, address: str, slot: str, value: str) -> bool:
        self.engine.evm.insert_account_storage(address, _int(slot), _int(value))
        self.wrote_storage = True
        return True

    def _eth_getBlockByNumber(self, _tag: Any, _full: bool = False) -> dict[str, Any]:
        number, timestamp = self.engine.block()
        return {"number": hex(number), "timestamp": hex(timestamp), "baseFeePerGas": "0x0", "gasLimit": hex(30_000_000),
                "hash": _hex(keccak(number.to_bytes(32, "big"))), "transactions": []}

    def _eth_estimateGas(self, _tx: dict[str, Any], _block: Any = "latest") -> str:
        return hex(GAS)

    def _eth_call(self, tx: dict[str, Any], _block: Any = "latest", _overrides: Any = None) -> str:
        outcome = self.engine.call(tx.get("from") or ZERO_ADDRESS, tx["to"], _bytes(tx.get("data") or tx.get("input")),
                                   _int(tx.get("value")))
        if outcome.ok:
            return _hex(outcome.data)
        raise _Reverted(outcome.data)

    def _eth_sendTransaction(self, tx: dict[str, Any]) -> str:
        outcome = self.engine.transact(tx["from"], tx["to"], _bytes(tx.get("data") or tx.get("input")), _int(tx.get("value")))
        tx_hash = _hex(keccak(f"{self.engine.number}:{len(self.sent)}".encode()))
        self.sent[tx_hash] = (tx, outcome, self.engine.number)
        return tx_hash

    def _eth_getTransactionReceipt(self, tx_hash: str) -> dict[str, Any] | None:
        if tx_hash not in self.sent:
            return None
        tx, outcome, number = self.sent[tx_hash]
        block_hash = _hex(keccak(number.to_bytes(32, "big")))
        logs = [{"address": log.address, "topics": [_hex(t) for t in log.topics], "data": _hex(log.data), "logIndex": hex(i),
                 "transactionIndex": "0x0", "transactionHash": tx_hash, "blockHash": block_hash, "blockNumber": hex(number),
                 "removed": False} for i, log in enumerate(outcome.logs)]
        return {"transactionHash": tx_hash, "transactionIndex": "0x0", "blockHash": block_hash, "blockNumber": hex(number),
                "from": tx["from"], "to": tx["to"], "status": "0x1" if outcome.ok else "0x0", "gasUsed": hex(0),
                "cumulativeGasUsed": hex(0), "effectiveGasPrice": "0x0", "contractAddress": None, "logs": logs,
                "logsBloom": "0x" + "00" * 256, "type": "0x0"}

    def _debug_traceTransaction(self, tx_hash: str, _config: Any = None) -> dict[str, Any]:
        """The top frame only: revm keeps no inner frames (``sim.reasons`` then decodes the
        outer revert data, which for a Safe is its GS0xx code)."""
        tx, outcome, _ = self.sent[tx_hash]
        frame = {"type": "CALL", "from": tx["from"], "to": tx["to"], "input": tx.get("data") or "0x",
                 "output": _hex(outcome.data), "gasUsed": "0x0", "value": hex(_int(tx.get("value")))}
        if not outcome.ok:
            frame["error"] = "execution halted" if outcome.halt else "execution reverted"
        return frame


class _Reverted(Exception):
    def __init__(self, data: bytes) -> None:
        super().__init__("execution reverted")
        self.data = data


def revm_web3(engine: "RevmEngine") -> Any:
    """A Web3 whose every request ``RevmRpc`` answers."""
    from web3 import Web3
    from web3.providers.base import JSONBaseProvider

    answers = RevmRpc(engine)

    class RevmProvider(JSONBaseProvider):
        endpoint_uri = "revm://in-process"
        rpc = answers

        def make_request(self, method: Any, params: Any) -> Any:
            try:
                return {"jsonrpc": "2.0", "id": 0, "result": answers.answer(str(method), list(params or []))}
            except _Reverted as exc:
                return {"jsonrpc": "2.0", "id": 0, "error": {"code": 3, "message": "execution reverted", "data": _hex(exc.data)}}
            except LookupError as exc:
                return {"jsonrpc": "2.0", "id": 0, "error": {"code": -32601, "message": str(exc)}}

        def is_connected(self, show_traceback: bool = False) -> bool:
            return True

    return Web3(RevmProvider())
