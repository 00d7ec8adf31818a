"""Three V2s of RentVault with a behavioural bug planted, derived from the real
contracts/v2/RentVaultV2.sol so they stay in step with it. Each keeps V2's storage layout
exactly (the checker passes them: ``test_planted_bugs_pass_the_checker``), so only running
them can tell. Every edit must apply exactly once, or the derivation fails loudly."""

from __future__ import annotations

from pathlib import Path

V2 = Path(__file__).resolve().parents[2] / "contracts" / "v2" / "RentVaultV2.sol"

BALANCE_OF = """    function balanceOf(uint256 propertyId) external view returns (uint256) {
        return _balances[propertyId];
    }
"""
REINIT_END = "        _gracePeriod = gracePeriod_;\n"


def _edit(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise AssertionError(f"RentVaultV2.sol changed shape: expected exactly one {old.strip()[:60]!r}")
    return text.replace(old, new)


def _named(text: str, name: str) -> str:
    text = text.replace('"../interfaces/', '"contracts/interfaces/')  # the fixtures live in contracts/fixtures/
    text = _edit(text, "/// @title RentVaultV2\n", f"/// @title {name} (test fixture: a planted bug)\n")
    return _edit(text, "contract RentVaultV2 is", f"contract {name} is")


def planted() -> dict[str, str]:
    v2 = V2.read_text()
    rounding = _edit(_named(v2, "RentVaultRounding"), BALANCE_OF, """    function balanceOf(uint256 propertyId) external view returns (uint256) {
        // planted: balances reported in whole micro-tokens (rounded down), so V1 and V2 differ
        // for a balance that is not a multiple of 1e12
        return _balances[propertyId] / 1e12 * 1e12;
    }
""")
    wrong_slot = _edit(_named(v2, "RentVaultWrongSlot"), BALANCE_OF, """    function balanceOf(uint256 propertyId) external view returns (uint256 held) {
        // planted: the mapping's slot computed by hand from the wrong base (5, _totalEscrowed's,
        // instead of 4, _balances')
        assembly {
            mstore(0x00, propertyId)
            mstore(0x20, 5)
            held := sload(keccak256(0x00, 0x40))
        }
    }
""")
    reinit = _edit(_named(v2, "RentVaultReinit"), REINIT_END, REINIT_END + """        // planted: "start the newest property's escrow afresh", which wipes a tenant's balance
        uint256 newest = IPropertyRegistryCount(_registry).propertyCount();
        _totalEscrowed -= _balances[newest];
        _balances[newest] = 0;
""")
    reinit = _edit(reinit, "/// @title RentVaultReinit", """interface IPropertyRegistryCount {
    function propertyCount() external view returns (uint256);
}

/// @title RentVaultReinit""")
    return {"RentVaultRounding.sol": rounding, "RentVaultWrongSlot.sol": wrong_slot, "RentVaultReinit.sol": reinit}
