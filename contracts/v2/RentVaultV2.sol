// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IPropertyRegistry} from "../interfaces/IPropertyRegistry.sol";
import {IAccessHub} from "../interfaces/IAccessHub.sol";
import {Roles} from "../interfaces/Roles.sol";

/// @title RentVaultV2
/// @notice Rent deposits in one ERC-20, escrowed per property; the property owner withdraws.
///         V2 adds due dates and an informational late-payment fee (balances are unaffected).
/// @dev Classic sequential storage ending in a `__gap`. Invariant: token.balanceOf(this) >= totalEscrowed
///      == sum of per-property balances. ReentrancyGuardTransient keeps its flag in transient storage,
///      so it adds no storage slots.
/// @custom:oz-upgrades-from contracts/v1/RentVault.sol:RentVault
contract RentVaultV2 is Initializable, UUPSUpgradeable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Maximum late fee: 20%.
    uint16 public constant MAX_LATE_FEE_BPS = 2000;

    address private _governance;
    address private _accessHub;
    address private _registry;
    IERC20 private _token;
    mapping(uint256 => uint256) private _balances;
    uint256 private _totalEscrowed;
    // --- V2: appended; 2 slots (_lateFeeBps and _gracePeriod share one), taken from the gap ---
    uint16 private _lateFeeBps;
    uint32 private _gracePeriod;
    mapping(uint256 => uint64) private _dueDate;

    /// @dev Reserved slots: 50 in V1, minus the 2 slots V2 appended.
    uint256[48] private __gap;

    event RentDeposited(uint256 indexed propertyId, address indexed payer, uint256 amount);
    event RentWithdrawn(uint256 indexed propertyId, address indexed owner, address to, uint256 amount);
    event LateFeeConfigured(uint16 lateFeeBps, uint32 gracePeriod);
    event DueDateSet(uint256 indexed propertyId, uint64 dueDate);

    error NotGovernance(address caller);
    error NotPropertyOwner(uint256 propertyId, address caller);
    error UnknownProperty(uint256 propertyId);
    error InsufficientBalance(uint256 propertyId, uint256 balance, uint256 amount);
    error ZeroAmount();
    error ZeroAddress();
    error Unauthorized(address caller);
    error LateFeeTooHigh(uint16 lateFeeBps);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize(address governance_, address accessHub_, address registry_, address token_)
        external
        initializer
    {
        if (governance_ == address(0) || accessHub_ == address(0) || registry_ == address(0) || token_ == address(0))
        {
            revert ZeroAddress();
        }
        _governance = governance_;
        _accessHub = accessHub_;
        _registry = registry_;
        _token = IERC20(token_);
    }

    /// @notice V2 configuration: late fee in basis points (<= 2000) and grace period in seconds.
    ///         Governance only; runs once, typically as the call of `upgradeToAndCall` from the Safe.
    function initializeV2(uint16 lateFeeBps_, uint32 gracePeriod_) external reinitializer(2) {
        if (msg.sender != _governance) revert NotGovernance(msg.sender);
        if (lateFeeBps_ > MAX_LATE_FEE_BPS) revert LateFeeTooHigh(lateFeeBps_);
        _lateFeeBps = lateFeeBps_;
        _gracePeriod = gracePeriod_;
        emit LateFeeConfigured(lateFeeBps_, gracePeriod_);
    }

    /// @notice Pay `amount` of rent into the escrow of property `propertyId` (needs a prior token approval).
    /// @dev Credits what actually arrived, so a token that takes a fee cannot make the books exceed the funds.
    function deposit(uint256 propertyId, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (!IPropertyRegistry(_registry).exists(propertyId)) revert UnknownProperty(propertyId);
        uint256 before = _token.balanceOf(address(this));
        _token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = _token.balanceOf(address(this)) - before;
        _balances[propertyId] += received;
        _totalEscrowed += received;
        emit RentDeposited(propertyId, msg.sender, received);
    }

    /// @notice Withdraw `amount` of the escrow of property `propertyId` to `to`; its current owner only.
    function withdraw(uint256 propertyId, uint256 amount, address to) external nonReentrant {
        address owner = IPropertyRegistry(_registry).ownerOf(propertyId);
        if (msg.sender != owner) revert NotPropertyOwner(propertyId, msg.sender);
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        uint256 balance = _balances[propertyId];
        if (amount > balance) revert InsufficientBalance(propertyId, balance, amount);
        _balances[propertyId] = balance - amount;
        _totalEscrowed -= amount;
        _token.safeTransfer(to, amount);
        emit RentWithdrawn(propertyId, owner, to, amount);
    }

    /// @notice Set the rent due date (unix seconds; 0 clears it) of property `propertyId`;
    ///         its owner or a MANAGER_ROLE holder.
    function setDueDate(uint256 propertyId, uint64 dueDate) external {
        address owner = IPropertyRegistry(_registry).ownerOf(propertyId);
        if (msg.sender != owner && !IAccessHub(_accessHub).hasRole(Roles.MANAGER_ROLE, msg.sender)) {
            revert Unauthorized(msg.sender);
        }
        _dueDate[propertyId] = dueDate;
        emit DueDateSet(propertyId, dueDate);
    }

    /// @notice Late fee on a payment of `amount` made at time `at`: amount * lateFeeBps / 10000 once `at` is
    ///         past dueDate + gracePeriod, else 0 (also 0 when no due date is set). Informational only.
    function lateFee(uint256 propertyId, uint256 amount, uint256 at) external view returns (uint256) {
        uint256 due = _dueDate[propertyId];
        if (due == 0 || at <= due + _gracePeriod) return 0;
        return amount * _lateFeeBps / 10_000;
    }

    function lateFeeBps() external view returns (uint16) {
        return _lateFeeBps;
    }

    function gracePeriod() external view returns (uint32) {
        return _gracePeriod;
    }

    function dueDateOf(uint256 propertyId) external view returns (uint64) {
        return _dueDate[propertyId];
    }

    function balanceOf(uint256 propertyId) external view returns (uint256) {
        return _balances[propertyId];
    }

    function totalEscrowed() external view returns (uint256) {
        return _totalEscrowed;
    }

    function token() external view returns (address) {
        return address(_token);
    }

    function registry() external view returns (address) {
        return _registry;
    }

    function accessHub() external view returns (address) {
        return _accessHub;
    }

    /// @notice The governance Safe: the only address allowed to upgrade this module.
    function governance() external view returns (address) {
        return _governance;
    }

    function version() external pure returns (string memory) {
        return "2.0.0";
    }

    function _authorizeUpgrade(address) internal view override {
        if (msg.sender != _governance) revert NotGovernance(msg.sender);
    }
}
