// SPDX-License-Identifier: MIT
pragma solidity ^0.8.22;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

/// Shelf, version 2: the same storage, a new view.
contract ShelfV2 is Initializable {
    uint256 public items;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function put() external {
        items += 1;
    }

    function version() external pure returns (string memory) {
        return "2";
    }
}
