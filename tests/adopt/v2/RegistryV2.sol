// SPDX-License-Identifier: MIT
pragma solidity ^0.8.2;

import {Initializable} from "@openzeppelin/contracts-upgradeable-v4/proxy/utils/Initializable.sol";

/// Registry V2 with no initializer: the 4.9 ProxyAdmin upgrades it with `upgrade`.
contract RegistryV2 is Initializable {
    mapping(bytes32 => address) public entries;
    uint256 public size;
    mapping(bytes32 => bool) public locked;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize() external initializer {}

    function register(bytes32 key, address value) external {
        require(!locked[key], "locked");
        if (entries[key] == address(0)) size += 1;
        entries[key] = value;
    }

    function version() external pure returns (uint256) {
        return 2;
    }
}
