"""Response bodies of the local service, per dialect, from one stored record:

- Transaction Service: the response serializers of safe-global/safe-transaction-service
  ``history/serializers.py`` @ 3e0199c4 rendered camelCase (CamelCaseJSONRenderer,
  ``config/settings/base.py`` l. 350): SafeMultisigTransactionResponseSerializerV2 (l. 749-856;
  ``nonce``, ``safeTxGas``, ``baseGas`` as strings), SafeMultisigConfirmationResponseSerializer
  (l. 726-746), SafeDelegateResponseSerializer (l. 673-678), SafeInfoResponseSerializer (l. 924-934);
- Queue Service: the fields the client gateway's zod schemas read
  (safe-global/safe-client-gateway ``src/modules/safe-queue/entities/multisig-transaction.entity.ts``
  and ``delegate.entity.ts`` @ 967418dc).
"""

from __future__ import annotations

import json
from typing import Any

from upgrader.safe_service.local.onchain import SafeState

__all__ = ["queue_delegate", "queue_tx", "safe_info", "tx_service_delegate", "tx_service_tx"]


def _origin_text(origin: Any) -> str:
    """get_origin (l. 829-830): a text origin as is, a JSON one dumped."""
    return origin if isinstance(origin, str) else json.dumps(origin if origin is not None else {})


def tx_service_tx(record: dict[str, Any], threshold: int) -> dict[str, Any]:
    executed = record["isExecuted"]
    return {
        "safe": record["safe"], "to": record["to"], "value": record["value"], "data": record["data"],
        "operation": record["operation"], "gasToken": record["gasToken"], "safeTxGas": record["safeTxGas"],
        "baseGas": record["baseGas"], "gasPrice": record["gasPrice"], "refundReceiver": record["refundReceiver"],
        "nonce": record["nonce"], "executionDate": record["executionDate"], "submissionDate": record["submissionDate"],
        "modified": record["modified"], "blockNumber": record["blockNumber"], "transactionHash": record["transactionHash"],
        "safeTxHash": record["safeTxHash"], "proposer": record["proposer"], "proposedByDelegate": record["proposedByDelegate"],
        "executor": record["executor"], "isExecuted": executed, "isSuccessful": record["isSuccessful"],
        "ethGasPrice": None, "maxFeePerGas": None, "maxPriorityFeePerGas": None, "gasUsed": None, "fee": None,
        "payment": None, "origin": _origin_text(record.get("origin")), "dataDecoded": None,
        "confirmationsRequired": threshold,
        "confirmations": [{**c, "transactionHash": record["transactionHash"] if executed else None}
                          for c in record["confirmations"]],
        "trusted": record.get("trusted", True), "signatures": None,
    }


def queue_tx(record: dict[str, Any], chain_id: int) -> dict[str, Any]:
    """SafeQueueMultisigTransactionSchema: executed shows only as ``txHash``; dates are
    ``created``/``modified``; the origin is ``originName``/``originUrl`` with ``notes``."""
    origin = record.get("origin")
    named = origin if isinstance(origin, dict) else {}
    failed = None if record["isSuccessful"] is None else not record["isSuccessful"]
    return {
        "safeTxHash": record["safeTxHash"], "chainId": str(chain_id), "safe": record["safe"], "nonce": int(record["nonce"]),
        "proposer": record["proposer"], "proposedByDelegate": record["proposedByDelegate"], "to": record["to"],
        "value": record["value"], "data": record["data"], "operation": record["operation"],
        "safeTxGas": record["safeTxGas"], "baseGas": record["baseGas"], "gasPrice": record["gasPrice"],
        "gasToken": record["gasToken"], "refundReceiver": record["refundReceiver"], "failed": failed,
        "notes": named.get("note"), "originName": named.get("name") if named else (origin or None),
        "originUrl": named.get("url"), "txHash": record["transactionHash"], "created": record["submissionDate"],
        "modified": record["modified"],
        "confirmations": [{"owner": c["owner"], "signature": c["signature"], "signatureType": c["signatureType"],
                           "created": c["submissionDate"], "modified": c["submissionDate"]} for c in record["confirmations"]],
    }


def tx_service_delegate(entry: dict[str, Any]) -> dict[str, Any]:
    return {"safe": entry["safe"], "delegate": entry["delegate"], "delegator": entry["delegator"],
            "label": entry["label"], "expiryDate": entry.get("expiryDate")}


def queue_delegate(entry: dict[str, Any], chain_id: int) -> dict[str, Any]:
    return {"delegate": entry["delegate"], "delegator": entry["delegator"], "chainId": str(chain_id), "safe": entry["safe"],
            "label": entry["label"] or None, "created": entry.get("created"), "modified": entry.get("modified")}


def safe_info(state: SafeState) -> dict[str, Any]:
    return {"address": state.address, "nonce": str(state.nonce), "threshold": state.threshold, "owners": state.owners,
            "masterCopy": state.master_copy, "modules": state.modules, "fallbackHandler": state.fallback_handler,
            "guard": state.guard, "moduleGuard": state.module_guard, "version": state.version}
