// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

/// Appends a variable: a safe upgrade of Box.
/// @custom:oz-upgrades-from Box
contract BoxV2 is Initializable, OwnableUpgradeable, UUPSUpgradeable {
    uint256 public value;
    address public keeper;
    uint256 public fee;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize(address owner, uint256 start) external initializer {
        __Ownable_init(owner);
        value = start;
        keeper = owner;
    }

    function initializeV2(uint256 fee_) external reinitializer(2) {
        fee = fee_;
    }

    function store(uint256 v) external onlyOwner {
        value = v;
    }

    function version() external pure returns (string memory) {
        return "2.0.0";
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}
}
