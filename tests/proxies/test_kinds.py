"""Each proxy kind's upgrade calls: OpenZeppelin's selectors (public 4-byte facts), the
4.x empty-data rule, and the review reading back exactly the upgrade the plan encodes."""

from __future__ import annotations

from eth_abi import decode as abi_decode
from eth_utils import to_checksum_address
from hypothesis import given
from hypothesis import strategies as st

from upgrader.manifest import Implementation, ProxyRecord
from upgrader.proxies import KINDS

SELECTORS = {  # OpenZeppelin Contracts 4.9 / 5.x
    "upgradeTo(address)": "3659cfe6",
    "upgradeToAndCall(address,bytes)": "4f1ef286",
    "upgrade(address,address)": "99a88ec4",
    "upgradeAndCall(address,address,bytes)": "9623609d",
}

addresses = st.binary(min_size=20, max_size=20).map(lambda b: to_checksum_address(b))


def record(kind: str, address: str, admin: str, beacon: str, others: list[str]) -> ProxyRecord:
    impl = Implementation(address=admin, contract="src/A.sol:A", code_hash="0x" + "00" * 32, storage_layout={})
    return ProxyRecord(name="M", address=address, kind=kind, implementation=impl,
                       admin=admin if kind.startswith("transparent") else None,
                       beacon=beacon if kind == "beacon" else None,
                       beacon_proxies=[address, *others] if kind == "beacon" else [])


@given(st.sampled_from(sorted(KINDS)), addresses, addresses, addresses, addresses, st.binary(max_size=100),
       st.lists(addresses, max_size=3, unique=True))
def test_calls_round_trip_through_the_review(kind, proxy, admin, beacon, impl, init, others):
    others = [o for o in others if o != proxy]
    r = record(kind, proxy, admin, beacon, others)
    k = KINDS[kind]
    calls = k.upgrade_calls(r, impl, init, "init")
    first = calls[0]
    assert first.to == k.upgrade_targets(r)[0]
    selector = first.data[:4].hex()
    name = {v: s for s, v in SELECTORS.items()}[selector]
    fn = name.split("(")[0]
    types = name[len(fn) + 1 : -1].split(",")
    args = list(abi_decode(types, first.data[4:]))
    ups = k.upgrades_in(first.to, fn, args, r)
    assert [(u.proxy.name, u.implementation) for u in ups] == [("M", impl)]
    if kind == "beacon":
        assert fn == "upgradeTo"
        assert [c.to for c in calls[1:]] == ([proxy, *others] if init else [])
        assert all(c.data == init for c in calls[1:])
    elif kind == "uups":
        assert fn == "upgradeToAndCall" and bytes(args[1]) == init
    elif kind == "uups-oz4":  # 4.x upgradeToAndCall with empty data reverts: upgradeTo then
        assert fn == ("upgradeToAndCall" if init else "upgradeTo")
    elif kind == "transparent":
        assert fn == "upgradeAndCall" and args[0].lower() == proxy.lower() and bytes(args[2]) == init
    else:
        assert fn == ("upgradeAndCall" if init else "upgrade") and args[0].lower() == proxy.lower()
    # the same call to another address upgrades nothing
    assert k.upgrades_in(to_checksum_address(b"\x01" * 20), fn, args, r) == [] or first.to == to_checksum_address(b"\x01" * 20)
