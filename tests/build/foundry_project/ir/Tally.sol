// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Math2} from "mathlib/Math2.sol";
import {IBox} from "../src/interfaces/IBox.sol";

/// Built through the IR pipeline by the `ir` profile.
contract Tally is IBox {
    uint256 public value;
    mapping(address => uint256) public counts;

    function add(uint256 x) external returns (uint256) {
        counts[msg.sender] += 1;
        value = Math2.twice(value + x);
        return value;
    }
}
