"""The Safe transaction a plan becomes: one call directly, several as a MultiSendCallOnly
batch (the only DELEGATECALL upgrader ever builds)."""

from __future__ import annotations

from typing import Any

from upgrader.safe.multisend import Batch
from upgrader.safe.tx import SafeTx


def plan_safe_tx(plan: dict[str, Any], nonce: int) -> SafeTx:
    calls = plan["calls"]
    if len(calls) == 1:
        c = calls[0]
        return SafeTx(to=c["to"], value=int(c["value"]), data=c["data"], operation=0, nonce=nonce)
    batch = Batch()
    for c in calls:
        batch.add_call(c["to"], c["data"], int(c["value"]))
    multisend = plan["safe"].get("multisend_call_only")
    if not multisend:
        raise ValueError("the manifest records no MultiSendCallOnly for this Safe")
    return batch.to_safe_tx(multisend, nonce)
