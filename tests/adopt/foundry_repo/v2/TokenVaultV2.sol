// SPDX-License-Identifier: MIT
pragma solidity 0.8.21;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";

/// V2: a fee, set once by the upgrade's reinitializer; a larger cap (the constructor argument).
contract TokenVaultV2 is Initializable, OwnableUpgradeable {
    uint256 public immutable cap;
    uint256 public total;
    mapping(address => uint256) public balanceOf;
    uint256 public feeBps;
    uint256[47] private __gap;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor(uint256 cap_) {
        cap = cap_;
        _disableInitializers();
    }

    function initialize(address owner_) external initializer {
        __Ownable_init();
        _transferOwnership(owner_);
    }

    function initializeV2(uint256 feeBps_) external reinitializer(2) {
        feeBps = feeBps_;
    }

    function deposit(uint256 amount) external {
        require(total + amount <= cap, "over the cap");
        balanceOf[msg.sender] += amount;
        total += amount;
    }

    function version() external pure returns (uint256) {
        return 2;
    }
}
