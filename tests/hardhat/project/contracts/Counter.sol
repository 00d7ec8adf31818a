// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

/// A counter for a Transparent proxy (hardhat-upgrades `kind: "transparent"`): no upgrade code of
/// its own, the ProxyAdmin that the proxy creates upgrades it.
contract Counter is Initializable {
    uint256 public count;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize(uint256 start) external initializer {
        count = start;
    }
}
