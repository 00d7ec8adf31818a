// SPDX-License-Identifier: MIT
pragma solidity ^0.8.2;

import {Initializable} from "@openzeppelin/contracts-upgradeable-v4/proxy/utils/Initializable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable-v4/access/OwnableUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable-v4/proxy/utils/UUPSUpgradeable.sol";

/// A UUPS module on OpenZeppelin 4.9, as deployed by teams before OpenZeppelin 5.
contract LegacyCounter is Initializable, OwnableUpgradeable, UUPSUpgradeable {
    uint256 public count;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize(address owner_) external initializer {
        __Ownable_init();
        __UUPSUpgradeable_init();
        transferOwnership(owner_);
    }

    function bump() external {
        count += 1;
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}
}
