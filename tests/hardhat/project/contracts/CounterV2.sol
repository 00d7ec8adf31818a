// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

/// Adds a function, no state: a safe upgrade of Counter.
/// @custom:oz-upgrades-from Counter
contract CounterV2 is Initializable {
    uint256 public count;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize(uint256 start) external initializer {
        count = start;
    }

    function increment() external {
        count += 1;
    }
}
