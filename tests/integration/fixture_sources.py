"""The V2 fixtures are RentVaultV2 with one defect each, derived from the real source so
they stay in step with it. Every edit must apply exactly once: if RentVaultV2 changes
shape, this fails loudly instead of producing a fixture that tests nothing."""

from __future__ import annotations

from pathlib import Path

V2 = Path(__file__).resolve().parents[2] / "contracts" / "v2" / "RentVaultV2.sol"
HUB = Path(__file__).resolve().parents[2] / "contracts" / "v1" / "AccessHub.sol"

V2_VARS = """    // --- V2: appended; 2 slots (_lateFeeBps and _gracePeriod share one), taken from the gap ---
    uint16 private _lateFeeBps;
    uint32 private _gracePeriod;
"""
FIRST_V1_VAR = "    address private _governance;\n"
REINIT_BODY_END = "        _gracePeriod = gracePeriod_;\n"


def _edit(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise AssertionError(f"RentVaultV2.sol changed shape: expected exactly one {old.strip()!r}")
    return text.replace(old, new)


def _renamed(text: str, name: str) -> str:
    text = text.replace('"../interfaces/', '"contracts/interfaces/')  # the fixtures live in contracts/fixtures/
    text = _edit(text, "/// @title RentVaultV2\n", f"/// @title {name} (test fixture)\n")
    return _edit(text, "contract RentVaultV2 is", f"contract {name} is")


def derived_fixtures() -> dict[str, str]:
    v2 = V2.read_text()
    # The defect no layout checker can see: the reinitializer wipes a tenant balance.
    evil = _edit(_renamed(v2, "RentVaultEvil"), REINIT_BODY_END,
                 REINIT_BODY_END
                 + "        // The defect no layout checker can see: the reinitializer wipes a tenant balance.\n"
                 + "        _balances[2] = 0;\n")
    # The defect the checker must refuse: V2 variables inserted BEFORE the V1 ones.
    unsafe = _edit(_renamed(v2, "RentVaultUnsafe"), V2_VARS, "")
    unsafe = _edit(unsafe, FIRST_V1_VAR,
                   "    // --- the defect: V2 variables inserted BEFORE the V1 ones, shifting every slot ---\n"
                   "    uint16 private _lateFeeBps;\n    uint32 private _gracePeriod;\n" + FIRST_V1_VAR)
    # A reinitializer that really changes existing state, by design: it makes the governance Safe an
    # admin (writes _roles and _roleMemberCount); correct when declared, red when not (issue 26).
    hub = HUB.read_text().replace('"../interfaces/', '"contracts/interfaces/')
    hub = _edit(hub, "/// @title AccessHub\n", "/// @title AccessHubGrant (test fixture)\n")
    hub = _edit(hub, "contract AccessHub is", "contract AccessHubGrant is")
    hub = _edit(hub, '        return "1.0.0";\n', '        return "2.0.0";\n')
    grant = _edit(hub, "    modifier onlyAdminOrGovernance() {\n",
                  "    /// @notice V2: the governance Safe becomes an admin.\n"
                  "    function initializeV2() external reinitializer(2) {\n"
                  "        if (msg.sender != _governance) revert NotGovernance(msg.sender);\n"
                  "        _grant(ADMIN_ROLE, _governance);\n"
                  "    }\n\n"
                  "    modifier onlyAdminOrGovernance() {\n")
    # The defect a declaration must not excuse: besides its declared settings the reinitializer
    # zeroes the preserved escrow counter.
    reset = _edit(_renamed(v2, "RentVaultResetTotal"), REINIT_BODY_END,
                  REINIT_BODY_END + "        _totalEscrowed = 0;\n")
    # The implementation left initializable: no constructor calling _disableInitializers.
    open_ = _edit(_renamed(v2, "RentVaultOpen"),
                  "    /// @custom:oz-upgrades-unsafe-allow constructor\n    constructor() {\n        _disableInitializers();\n    }\n", "")
    # A V3 (issue 24, incomplete reinitialization): one more variable, set by initializeV3 and read
    # by deposit; applied to a V1 proxy with only initializeV3, V2's reinitializer never runs.
    v3 = _edit(_renamed(v2, "RentVaultV3"), "    mapping(uint256 => uint64) private _dueDate;\n",
               "    mapping(uint256 => uint64) private _dueDate;\n    // --- V3: appended, taken from the gap ---\n"
               "    uint256 private _minDeposit;\n")
    v3 = _edit(v3, "    uint256[48] private __gap;\n", "    uint256[47] private __gap;\n")
    v3 = _edit(v3, "    /// @notice Pay `amount` of rent", "    /// @notice V3: the smallest deposit accepted.\n"
               "    function initializeV3(uint256 minDeposit_) external reinitializer(3) {\n"
               "        if (msg.sender != _governance) revert NotGovernance(msg.sender);\n"
               "        _minDeposit = minDeposit_;\n    }\n\n    /// @notice Pay `amount` of rent")
    v3 = _edit(v3, "external nonReentrant {\n        if (amount == 0) revert ZeroAmount();\n        if (!IPropertyRegistry",
               "external nonReentrant {\n        if (amount == 0) revert ZeroAmount();\n"
               "        if (amount < _minDeposit) revert ZeroAmount();\n        if (!IPropertyRegistry")
    # Re-initialization after upgrade (issue 24, Audius 2022): V2's `initialize` re-guarded with
    # reinitializer(3), so after the batch (version 2) anyone can call it and take governance.
    reopen = _edit(_renamed(v2, "RentVaultReopen"), "        external\n        initializer\n    {\n",
                   "        external\n        reinitializer(3)\n    {\n")
    return {"RentVaultEvil.sol": evil, "RentVaultUnsafe.sol": unsafe, "AccessHubGrant.sol": grant,
            "RentVaultResetTotal.sol": reset, "RentVaultOpen.sol": open_, "RentVaultV3.sol": v3,
            "RentVaultReopen.sol": reopen}
