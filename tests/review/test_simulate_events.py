"""The events of a simulated batch as review --simulate names and shows them. A Transparent proxy's
implementation (e.g. a plain Initializable Counter, as in markgenuine/TransparentUpgradeableProxy_5_0_2
at ddc315b) declares none of the proxy's own events, so the build's ABIs alone left the upgrade's
own `Upgraded` undecoded; and the Safe's SafeMultiSigTransaction carries the whole batch, printed
as kilobytes of hex in the human view."""

from __future__ import annotations

from eth_abi import encode

from upgrader.keccak import keccak
from upgrader.sim import diff
from upgrader.stages.review.decode import AddressBook
from upgrader.stages.review.simulate.render import simulation_lines

PROXY, IMPL, ADMIN, SAFE = ("0x" + c * 40 for c in "abcd")


def _log(address: str, signature: str, indexed: list[tuple[str, object]], data: bytes = b"") -> dict:
    topics = [keccak(signature.encode())] + [encode([t], [v]) for t, v in indexed]
    return {"address": address, "topics": topics, "data": data}


def _know() -> diff.Knowledge:
    return diff.Knowledge([], AddressBook(), None, None)  # a build with no contract that declares these events


def test_a_proxys_own_events_decode_whatever_the_build_declares():
    logs = [_log(PROXY, "Upgraded(address)", [("address", IMPL)]),
            _log(PROXY, "AdminChanged(address,address)", [], encode(["address", "address"], [ADMIN, SAFE])),
            _log(PROXY, "BeaconUpgraded(address)", [("address", IMPL)]),
            _log(ADMIN, "OwnershipTransferred(address,address)", [("address", ADMIN), ("address", SAFE)])]
    events = diff.events_section(logs, _know())
    assert [e["event"] for e in events] == ["Upgraded", "AdminChanged", "BeaconUpgraded", "OwnershipTransferred"]
    assert events[0]["args"]["implementation"].lower() == IMPL
    assert events[1]["args"]["newAdmin"].lower() == SAFE and events[3]["args"]["newOwner"].lower() == SAFE


def _sim(events: list[dict]) -> dict:
    return {"fork_block": 1, "execution": {"ok": True, "gas_used": 1, "revert": None, "notes": [], "approvals": []},
            "storage": [], "eth_balances": [], "erc20_balances": [], "events": events, "safe_changes": [], "proxy_changes": []}


def test_a_long_bytes_argument_is_shown_by_its_start_and_length():
    batch, signatures = bytes(range(256)) * 9, b"\x11" * 64  # 2,304 bytes of batch; exactly 64 bytes stay whole
    types = ["address", "uint256", "bytes", "uint8", "uint256", "uint256", "uint256", "address", "address", "bytes", "bytes"]
    data = encode(types, [ADMIN, 0, batch, 1, 0, 0, 0, "0x" + "0" * 40, "0x" + "0" * 40, signatures, b"\x22" * 65])
    (ev,) = diff.events_section([_log(SAFE, f"SafeMultiSigTransaction({','.join(types)})", [], data)], _know())
    assert ev["event"] == "SafeMultiSigTransaction" and ev["args"]["data"] == "0x" + batch.hex()  # the report keeps it whole (--json)
    (line,) = [x for x in simulation_lines(_sim([ev])) if "SafeMultiSigTransaction(" in x]
    assert f"data=0x{batch[:8].hex()}… ({len(batch)} bytes)" in line and batch[8:40].hex() not in line
    assert f"signatures=0x{signatures.hex()}," in line and f"additionalInfo=0x{'22' * 8}… (65 bytes)" in line
