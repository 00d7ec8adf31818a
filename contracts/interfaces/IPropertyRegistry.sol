// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IPropertyRegistry
/// @notice The registry views RentVault relies on.
interface IPropertyRegistry {
    function exists(uint256 id) external view returns (bool);

    function ownerOf(uint256 id) external view returns (address);
}
