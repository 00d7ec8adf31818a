// SPDX-License-Identifier: MIT
pragma solidity ^0.8.22;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

/// A UUPS module on OpenZeppelin 5 whose owner (the only one who may upgrade it) is a timelock.
contract Box is Initializable, OwnableUpgradeable, UUPSUpgradeable {
    uint256 public value;
    mapping(address => uint256) public stores;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize(address owner_, uint256 start) external initializer {
        __Ownable_init(owner_);
        value = start;
    }

    function store(uint256 v) external {
        value = v;
        stores[msg.sender] += 1;
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}
}
