// SPDX-License-Identifier: MIT
pragma solidity ^0.8.22;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

/// Counter V2: a limit, set once by the upgrade's reinitializer.
contract CounterV2 is Initializable, OwnableUpgradeable, UUPSUpgradeable {
    uint256 public count;
    mapping(address => uint256) public bumps;
    uint256 public limit;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize(address owner_, uint256 start) external initializer {
        __Ownable_init(owner_);
        count = start;
    }

    function initializeV2(uint256 limit_) external reinitializer(2) {
        limit = limit_;
    }

    function bump() external {
        require(count < limit, "limit");
        count += 1;
        bumps[msg.sender] += 1;
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}
}
