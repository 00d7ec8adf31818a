// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IBox {
    function value() external view returns (uint256);
}
