// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IAccessHub
/// @notice The role check the other modules rely on.
interface IAccessHub {
    function hasRole(bytes32 role, address account) external view returns (bool);
}
