// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// OpenZeppelin's TimelockController of Contracts 5.7.0 and 4.9.6, compiled as they are.
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {TimelockController as TimelockControllerV4} from "@openzeppelin/contracts-v4/governance/TimelockController.sol";
