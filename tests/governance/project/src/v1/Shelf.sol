// SPDX-License-Identifier: MIT
pragma solidity ^0.8.22;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

/// A Transparent-proxy module on OpenZeppelin 5; its ProxyAdmin is owned by the timelock.
contract Shelf is Initializable {
    uint256 public items;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize() external initializer {
        items = 1;
    }

    function put() external {
        items += 1;
    }
}
