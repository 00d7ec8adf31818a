// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Brings OpenZeppelin 5's TransparentUpgradeableProxy (and the ProxyAdmin it creates) into the
// fixture build, for the Transparent-proxy tests of simulate (issue 26).
import {TransparentUpgradeableProxy} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";
