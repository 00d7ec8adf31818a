// SPDX-License-Identifier: MIT
pragma solidity ^0.8.22;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

/// A module behind a TransparentUpgradeableProxy (OpenZeppelin 5): the ProxyAdmin upgrades it.
/// Its cap is an immutable set by the constructor, so each implementation is deployed with it.
contract Vault is Initializable {
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    uint256 public immutable cap;
    mapping(address => uint256) public balances;
    uint256 public total;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor(uint256 cap_) {
        cap = cap_;
        _disableInitializers();
    }

    function initialize() external initializer {}

    function deposit(uint256 amount) external {
        require(total + amount <= cap, "cap");
        balances[msg.sender] += amount;
        total += amount;
    }
}
