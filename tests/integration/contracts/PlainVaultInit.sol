// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

/// @title PlainVaultInit (test fixture)
/// @notice PlainVault behind a Transparent proxy, now with an owner set by an initializer, and no
/// constructor locking the bare implementation (as many OpenZeppelin 4 Transparent examples are):
/// a stranger can initialize the implementation itself, which has no upgrade function to abuse.
contract PlainVaultInit is Initializable {
    uint256 public total;
    mapping(address => uint256) public balanceOf;
    address public owner;

    function initialize(address owner_) external initializer {
        owner = owner_;
    }

    function deposit(uint256 amount) external {
        balanceOf[msg.sender] += amount;
        total += amount;
    }

    function version() external pure returns (string memory) {
        return "2.1.0";
    }
}
