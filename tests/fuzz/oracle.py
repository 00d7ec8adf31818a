"""What a file means, read by rules written apart from upgrader's reader, and the hashes
from safe-eth-py (an independent implementation). The fuzz tests hold every accepted
mutated file to this reading."""

from __future__ import annotations

import re
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils import is_checksum_address
from safe_eth.safe.multi_send import MultiSendOperation, MultiSendTx
from safe_eth.safe.safe_tx import SafeTx as OracleSafeTx

ZERO = "0x" + "0" * 40
MULTISEND_SELECTOR = bytes.fromhex("8d80ff0a")


class Refused(Exception):
    pass


def number(value: Any, empty_is_zero: bool = True) -> int:
    if value is None or (empty_is_zero and value == ""):
        return 0
    if isinstance(value, bool):
        raise Refused("bool")
    if isinstance(value, int):
        n = value
    elif isinstance(value, str) and re.fullmatch(r" *[0-9]{1,78} *", value):
        n = int(value.strip(" "))
    elif isinstance(value, str) and re.fullmatch(r" *0[xX][0-9a-fA-F]{1,80} *", value):
        n = int(value.strip(" ")[2:], 16)
    else:
        raise Refused(f"number {value!r}")
    if not 0 <= n < 2**256:
        raise Refused("range")
    return n


def address(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"(0[xX])?[0-9a-fA-F]{40}", value):
        raise Refused(f"address {value!r}")
    body = value[-40:]
    if body != body.lower() and body != body.upper() and not is_checksum_address("0x" + body):
        raise Refused("checksum")
    return "0x" + body.lower()


def hexdata(value: Any) -> bytes:
    if value is None or value == "":
        return b""
    if not isinstance(value, str):
        raise Refused("data type")
    text = value.strip(" ")
    text = text[2:] if text[:2].lower() == "0x" else text
    if len(text) % 2 or not re.fullmatch(r"[0-9a-fA-F]*", text):
        raise Refused("data")
    return bytes.fromhex(text)


def operation(value: Any) -> int:
    if isinstance(value, bool):
        raise Refused("op bool")
    if value in (0, 1):
        return int(value)
    if isinstance(value, str) and value.strip().lower() in ("0", "1", "call", "delegatecall"):
        return {"0": 0, "1": 1, "call": 0, "delegatecall": 1}[value.strip().lower()]
    raise Refused("op")


def one_of(obj: dict[str, Any], *names: str) -> Any:
    given = [obj[n] for n in names if n in obj and obj[n] is not None]
    if len({repr(v) for v in given}) > 1:
        raise Refused("two spellings")
    return given[0] if given else None


def safe_tx_fields(obj: Any) -> dict[str, Any]:
    """A raw SafeTx file's ten fields + safe and chain id, or Refused."""
    if not isinstance(obj, dict) or "to" not in obj:
        raise Refused("shape")
    claimed = one_of(obj, "safeTxHash", "contractTransactionHash")
    if claimed is not None and not (isinstance(claimed, str) and re.fullmatch(r"0x[0-9a-fA-F]{64}", claimed)):
        raise Refused("claimed hash")
    nonce = obj.get("nonce")
    if nonce is None or nonce == "":
        raise Refused("no nonce")
    chain = one_of(obj, "chainId", "chain_id")
    if obj.get("safe") is None or chain is None:
        raise Refused("no safe/chain")
    token, receiver = one_of(obj, "gasToken", "gas_token"), one_of(obj, "refundReceiver", "refund_receiver")
    return {
        "to": address(obj["to"]), "value": number(obj.get("value")), "data": hexdata(obj.get("data")),
        "operation": operation(obj.get("operation", 0)) if obj.get("operation") is not None else 0,
        "safe_tx_gas": number(one_of(obj, "safeTxGas", "safe_tx_gas")),
        "base_gas": number(one_of(obj, "baseGas", "base_gas", "dataGas", "data_gas")),
        "gas_price": number(one_of(obj, "gasPrice", "gas_price")),
        "gas_token": ZERO if token is None else address(token),
        "refund_receiver": ZERO if receiver is None else address(receiver),
        "nonce": number(nonce, empty_is_zero=False), "safe": address(obj["safe"]),
        "chain_id": number(chain, empty_is_zero=False),
    }


def packed(calls: list[tuple[str, int, bytes]]) -> bytes:
    return b"".join(MultiSendTx(MultiSendOperation.CALL, _cs(to), value, data).encoded_data for to, value, data in calls)


def multisend_data(calls: list[tuple[str, int, bytes]]) -> bytes:
    return MULTISEND_SELECTOR + abi_encode(["bytes"], [packed(calls)])


def _cs(addr: str) -> str:
    from eth_utils import to_checksum_address

    return to_checksum_address(addr)


def safe_tx_hash(f: dict[str, Any], version: str = "1.4.1") -> str:
    tx = OracleSafeTx(None, _cs(f["safe"]), _cs(f["to"]), f["value"], f["data"], f["operation"], f["safe_tx_gas"],
                      f["base_gas"], f["gas_price"], _cs(f["gas_token"]), _cs(f["refund_receiver"]),
                      safe_nonce=f["nonce"], safe_version=version, chain_id=f["chain_id"])
    return "0x" + bytes(tx.safe_tx_hash).hex()


def reported_fields(report: dict[str, Any]) -> dict[str, Any]:
    """The SafeTx a review report says it hashed, in the oracle's terms."""
    tx = report["tx"]
    return {"to": tx["to"].lower(), "value": int(tx["value"]), "data": bytes.fromhex(tx["data"][2:]),
            "operation": tx["operation"], "safe_tx_gas": int(tx["safeTxGas"]), "base_gas": int(tx["baseGas"]),
            "gas_price": int(tx["gasPrice"]), "gas_token": tx["gasToken"].lower(),
            "refund_receiver": tx["refundReceiver"].lower(), "nonce": int(tx["nonce"]),
            "safe": report["safe"].lower(), "chain_id": report["chain_id"]}
