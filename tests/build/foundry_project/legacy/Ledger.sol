// SPDX-License-Identifier: MIT
pragma solidity ^0.8.4;

/// A contract for a solc older than 0.8.18 (which knows no `settings.metadata.appendCBOR`), as
/// jordaniza/OZ-Upgradeable-Foundry pins 0.8.12.
contract Ledger {
    mapping(address => uint256) public balanceOf;
    uint256 public total;

    error Insufficient(uint256 have, uint256 want);

    function credit(address to, uint256 amount) external {
        balanceOf[to] += amount;
        total += amount;
    }

    function debit(uint256 amount) external {
        uint256 have = balanceOf[msg.sender];
        if (have < amount) revert Insufficient(have, amount);
        balanceOf[msg.sender] = have - amount;
        total -= amount;
    }
}
