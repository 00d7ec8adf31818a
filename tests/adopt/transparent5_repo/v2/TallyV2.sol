// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";

/// V2: bumps by a step set once by the upgrade.
contract TallyV2 is Initializable {
    uint256 public count;
    uint256 public step;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize(uint256 start) public initializer {
        count = start;
        step = 1;
    }

    function initializeV2(uint256 step_) public reinitializer(2) {
        require(step_ > 0, "step is zero");
        step = step_;
    }

    function bump() public {
        count += step;
    }
}
