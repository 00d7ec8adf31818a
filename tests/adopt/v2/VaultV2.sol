// SPDX-License-Identifier: MIT
pragma solidity ^0.8.22;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

/// Vault V2: accounts can be frozen; the cap (an immutable) is given to the constructor again.
contract VaultV2 is Initializable {
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    uint256 public immutable cap;
    mapping(address => uint256) public balances;
    uint256 public total;
    mapping(address => bool) public frozen;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor(uint256 cap_) {
        cap = cap_;
        _disableInitializers();
    }

    function initialize() external initializer {}

    function deposit(uint256 amount) external {
        require(!frozen[msg.sender], "frozen");
        require(total + amount <= cap, "cap");
        balances[msg.sender] += amount;
        total += amount;
    }
}
