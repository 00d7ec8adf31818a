// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title MockERC20
/// @notice Rent token for LOCAL USE ONLY (Anvil, tests): anyone can mint. Never deploy to a real network.
contract MockERC20 is ERC20 {
    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) {}

    /// @notice Mint `amount` to `to`; deliberately unrestricted.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
