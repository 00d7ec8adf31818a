// SPDX-License-Identifier: MIT
pragma solidity ^0.8.22;

// OpenZeppelin's own proxies, compiled here so the fixture deploys them from this build.
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {TransparentUpgradeableProxy} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";
