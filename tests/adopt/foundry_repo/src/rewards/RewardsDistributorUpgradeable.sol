// SPDX-License-Identifier: MIT
pragma solidity 0.8.21;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";

/// Counts reward epochs of a fixed length (an immutable).
contract RewardsDistributorUpgradeable is Initializable, OwnableUpgradeable {
    uint64 public immutable epochLength;
    uint256 public epochs;
    mapping(address => uint256) public claimed;
    uint256[48] private __gap;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor(uint64 epochLength_) {
        epochLength = epochLength_;
        _disableInitializers();
    }

    function initialize(address owner_) external initializer {
        __Ownable_init();
        _transferOwnership(owner_);
    }

    function advance() external {
        epochs += 1;
        claimed[msg.sender] += epochLength;
    }
}
