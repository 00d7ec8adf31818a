// SPDX-License-Identifier: MIT
pragma solidity ^0.8.2;

import {Initializable} from "@openzeppelin/contracts-upgradeable-v4/proxy/utils/Initializable.sol";

/// A module behind an OpenZeppelin 4.9 TransparentUpgradeableProxy, upgraded by a 4.9 ProxyAdmin.
contract Registry is Initializable {
    mapping(bytes32 => address) public entries;
    uint256 public size;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize() external initializer {}

    function register(bytes32 key, address value) external {
        if (entries[key] == address(0)) size += 1;
        entries[key] = value;
    }
}
