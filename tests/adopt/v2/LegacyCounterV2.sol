// SPDX-License-Identifier: MIT
pragma solidity ^0.8.2;

import {Initializable} from "@openzeppelin/contracts-upgradeable-v4/proxy/utils/Initializable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable-v4/access/OwnableUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable-v4/proxy/utils/UUPSUpgradeable.sol";

/// LegacyCounter V2 on OpenZeppelin 4.9, with no initializer: upgraded with `upgradeTo`.
contract LegacyCounterV2 is Initializable, OwnableUpgradeable, UUPSUpgradeable {
    uint256 public count;
    uint256 public resets;

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

    function reset() external onlyOwner {
        count = 0;
        resets += 1;
    }

    function version() external pure returns (uint256) {
        return 2;
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}
}
