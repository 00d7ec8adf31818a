// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

/// @title AccessHub
/// @notice Roles (admin, manager, operator) checked by the other modules of the property platform.
/// @dev Classic sequential storage ending in a `__gap`; upgrades are authorised by the governance Safe only.
contract AccessHub is Initializable, UUPSUpgradeable {
    bytes32 public constant ADMIN_ROLE = keccak256("ADMIN_ROLE");
    bytes32 public constant MANAGER_ROLE = keccak256("MANAGER_ROLE");
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    address private _governance;
    mapping(bytes32 => mapping(address => bool)) private _roles;
    mapping(bytes32 => uint256) private _roleMemberCount;

    /// @dev Reserved slots so later versions can append state without shifting anything.
    uint256[50] private __gap;

    event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender);
    event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender);

    error NotGovernance(address caller);
    error Unauthorized(address caller);
    error ZeroAddress();
    error LastAdmin();

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Set the governance Safe and the first admin.
    function initialize(address governance_, address admin) external initializer {
        if (governance_ == address(0) || admin == address(0)) revert ZeroAddress();
        _governance = governance_;
        _grant(ADMIN_ROLE, admin);
    }

    modifier onlyAdminOrGovernance() {
        if (msg.sender != _governance && !_roles[ADMIN_ROLE][msg.sender]) revert Unauthorized(msg.sender);
        _;
    }

    /// @notice Grant `role` to `account`; a no-op (no event) when it already holds it.
    function grantRole(bytes32 role, address account) external onlyAdminOrGovernance {
        if (account == address(0)) revert ZeroAddress();
        _grant(role, account);
    }

    /// @notice Revoke `role` from `account`; a no-op when it does not hold it. The last admin cannot be removed.
    function revokeRole(bytes32 role, address account) external onlyAdminOrGovernance {
        if (!_roles[role][account]) return;
        if (role == ADMIN_ROLE && _roleMemberCount[role] == 1) revert LastAdmin();
        _roles[role][account] = false;
        _roleMemberCount[role] -= 1;
        emit RoleRevoked(role, account, msg.sender);
    }

    function hasRole(bytes32 role, address account) external view returns (bool) {
        return _roles[role][account];
    }

    function roleMemberCount(bytes32 role) external view returns (uint256) {
        return _roleMemberCount[role];
    }

    /// @notice The governance Safe: the only address allowed to upgrade this module.
    function governance() external view returns (address) {
        return _governance;
    }

    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    function _grant(bytes32 role, address account) private {
        if (_roles[role][account]) return;
        _roles[role][account] = true;
        _roleMemberCount[role] += 1;
        emit RoleGranted(role, account, msg.sender);
    }

    function _authorizeUpgrade(address) internal view override {
        if (msg.sender != _governance) revert NotGovernance(msg.sender);
    }
}
