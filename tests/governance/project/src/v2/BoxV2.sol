// SPDX-License-Identifier: MIT
pragma solidity ^0.8.22;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

/// Box, version 2: the same storage plus a limit set by its reinitializer.
contract BoxV2 is Initializable, OwnableUpgradeable, UUPSUpgradeable {
    uint256 public value;
    mapping(address => uint256) public stores;
    uint256 public limit;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize(address owner_, uint256 start) external initializer {
        __Ownable_init(owner_);
        value = start;
    }

    function initializeV2(uint256 limit_) external reinitializer(2) {
        limit = limit_;
    }

    function store(uint256 v) external {
        require(v <= limit, "over the limit");
        value = v;
        stores[msg.sender] += 1;
    }

    function version() external pure returns (string memory) {
        return "2";
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}
}
