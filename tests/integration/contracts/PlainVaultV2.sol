// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title PlainVaultV2 (test fixture)
/// @notice PlainVault with a fee cap fixed at deployment: an immutable from a constructor argument.
contract PlainVaultV2 {
    uint256 public total;
    mapping(address => uint256) public balanceOf;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    uint256 public immutable feeCapBps;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor(uint256 feeCapBps_) {
        feeCapBps = feeCapBps_;
    }

    function deposit(uint256 amount) external {
        balanceOf[msg.sender] += amount;
        total += amount;
    }

    function version() external pure returns (string memory) {
        return "2.0.0";
    }
}
