// SPDX-License-Identifier: MIT
pragma solidity 0.8.21;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";

/// Deposits up to a cap fixed at deployment (an immutable: allowed in upgrader.toml, not annotated).
contract TokenVault is Initializable, OwnableUpgradeable {
    uint256 public immutable cap;
    uint256 public total;
    mapping(address => uint256) public balanceOf;
    uint256[48] private __gap;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor(uint256 cap_) {
        cap = cap_;
        _disableInitializers();
    }

    function initialize(address owner_) external initializer {
        __Ownable_init();
        _transferOwnership(owner_);
    }

    function deposit(uint256 amount) external {
        require(total + amount <= cap, "over the cap");
        balanceOf[msg.sender] += amount;
        total += amount;
    }
}
