// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";

/// V1: a tally anyone can bump. Its ABI declares none of the proxy's own events.
contract Tally is Initializable {
    uint256 public count;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize(uint256 start) public initializer {
        count = start;
    }

    function bump() public {
        count++;
    }
}
