// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title PlainVault (test fixture)
/// @notice A module without Initializable (no initializer at all) behind an OpenZeppelin 5
///         TransparentUpgradeableProxy, as hardhat-upgrades and upgrades-core accept it.
contract PlainVault {
    uint256 public total;
    mapping(address => uint256) public balanceOf;

    function deposit(uint256 amount) external {
        balanceOf[msg.sender] += amount;
        total += amount;
    }
}
