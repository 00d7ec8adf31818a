// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

/// Inserts a variable before the existing ones: every later slot moves (unsafe).
/// @custom:oz-upgrades-from Box
contract BoxV2Unsafe is Initializable, OwnableUpgradeable, UUPSUpgradeable {
    uint256 public fee;
    uint256 public value;
    address public keeper;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize(address owner, uint256 start) external initializer {
        __Ownable_init(owner);
        value = start;
        keeper = owner;
    }

    function store(uint256 v) external onlyOwner {
        value = v;
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}
}
