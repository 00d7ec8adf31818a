// SPDX-License-Identifier: MIT
pragma solidity ^0.8.22;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

/// A UUPS module on OpenZeppelin 5: a counter only its owner may upgrade.
contract Counter is Initializable, OwnableUpgradeable, UUPSUpgradeable {
    uint256 public count;
    mapping(address => uint256) public bumps;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize(address owner_, uint256 start) external initializer {
        __Ownable_init(owner_);
        count = start;
    }

    function bump() external {
        count += 1;
        bumps[msg.sender] += 1;
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}
}
