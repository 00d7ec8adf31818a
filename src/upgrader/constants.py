"""Fixed values of the standards upgrader reads, defined once.

ERC-1967 slots (eips.ethereum.org/EIPS/eip-1967): ``bytes32(uint256(keccak256(<label>)) - 1)``
with the labels ``eip1967.proxy.implementation``, ``eip1967.proxy.admin`` and
``eip1967.proxy.beacon``; ``tests/test_keccak.py`` recomputes them.
"""

from __future__ import annotations

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

IMPLEMENTATION_SLOT = 0x360894A13BA1A3210667C828492DB98DCA3E2076CC3735A920A3CA505D382BBC
ADMIN_SLOT = 0xB53127684A568B3173AE13B9F8A6016E243E63B6E8EE1178D6A717850B5D6103
BEACON_SLOT = 0xA3F0AD74E5423AEBFD80D3EF4346578335A9A72AEAEE59FF6CB3582B35133D50

ERC1967_SLOTS = {
    IMPLEMENTATION_SLOT: "ERC-1967 implementation",
    ADMIN_SLOT: "ERC-1967 admin",
    BEACON_SLOT: "ERC-1967 beacon",
}
