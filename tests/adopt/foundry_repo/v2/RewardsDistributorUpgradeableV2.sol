// SPDX-License-Identifier: MIT
pragma solidity 0.8.21;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";

/// V2: epochs can be paused by the owner.
contract RewardsDistributorUpgradeableV2 is Initializable, OwnableUpgradeable {
    uint64 public immutable epochLength;
    uint256 public epochs;
    mapping(address => uint256) public claimed;
    bool public paused;
    uint256[47] private __gap;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor(uint64 epochLength_) {
        epochLength = epochLength_;
        _disableInitializers();
    }

    function initialize(address owner_) external initializer {
        __Ownable_init();
        _transferOwnership(owner_);
    }

    function setPaused(bool paused_) external onlyOwner {
        paused = paused_;
    }

    function advance() external {
        require(!paused, "paused");
        epochs += 1;
        claimed[msg.sender] += epochLength;
    }

    function version() external pure returns (uint256) {
        return 2;
    }
}
