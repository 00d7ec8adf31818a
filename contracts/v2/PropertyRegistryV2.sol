// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {IAccessHub} from "../interfaces/IAccessHub.sol";
import {Roles} from "../interfaces/Roles.sol";

/// @title PropertyRegistryV2
/// @notice Property records: owner, metadata URI and status, with registration, transfer and status changes.
///         V2 adds a category per property (configured by governance through `initializeV2`).
/// @dev ERC-7201 namespaced storage (no sequential state variables); upgrades are authorised by the governance Safe.
/// @custom:oz-upgrades-from contracts/v1/PropertyRegistry.sol:PropertyRegistry
contract PropertyRegistryV2 is Initializable, UUPSUpgradeable {
    enum Status {
        None,
        Active,
        Listed,
        Rented,
        Archived
    }

    /// @dev `owner` and `status` share one slot.
    struct Property {
        address owner;
        uint8 status;
        string metadataURI;
    }

    /// @custom:storage-location erc7201:upgrader.storage.PropertyRegistry
    struct RegistryStorage {
        address governance;
        address accessHub;
        uint256 nextId;
        mapping(uint256 => Property) properties;
        mapping(address => uint256) propertyCountOf;
        // --- V2: appended only ---
        /// @dev category + 1 per property; 0 means "unset", so `categoryOf` falls back to `defaultCategory`.
        mapping(uint256 => uint8) categories;
        uint8 defaultCategory;
        uint8 categoryCount;
    }

    // keccak256(abi.encode(uint256(keccak256("upgrader.storage.PropertyRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant REGISTRY_STORAGE_LOCATION =
        0xeaf8c2b3c590787050b56950a3da1b7d5f0559c12aea5dde9649f599b0745f00;

    event PropertyRegistered(uint256 indexed id, address indexed owner, string metadataURI);
    event PropertyTransferred(uint256 indexed id, address indexed from, address indexed to);
    event StatusChanged(uint256 indexed id, uint8 status);
    event MetadataURIChanged(uint256 indexed id, string metadataURI);
    event CategoriesConfigured(uint8 defaultCategory, uint8 categoryCount);
    event CategoryChanged(uint256 indexed id, uint8 category);

    error NotGovernance(address caller);
    error Unauthorized(address caller);
    error NotPropertyOwner(uint256 id, address caller);
    error UnknownProperty(uint256 id);
    error InvalidStatus(uint8 status);
    error ZeroAddress();
    error InvalidCategory(uint8 category);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize(address governance_, address accessHub_) external initializer {
        if (governance_ == address(0) || accessHub_ == address(0)) revert ZeroAddress();
        RegistryStorage storage $ = _store();
        $.governance = governance_;
        $.accessHub = accessHub_;
        $.nextId = 1;
    }

    /// @notice V2 configuration: categories 0..categoryCount_-1 with `defaultCategory_` for properties
    ///         without one. Governance only; runs once, typically as the call of `upgradeToAndCall` from the Safe.
    function initializeV2(uint8 defaultCategory_, uint8 categoryCount_) external reinitializer(2) {
        RegistryStorage storage $ = _store();
        if (msg.sender != $.governance) revert NotGovernance(msg.sender);
        if (categoryCount_ == 0) revert InvalidCategory(categoryCount_);
        if (defaultCategory_ >= categoryCount_) revert InvalidCategory(defaultCategory_);
        $.defaultCategory = defaultCategory_;
        $.categoryCount = categoryCount_;
        emit CategoriesConfigured(defaultCategory_, categoryCount_);
    }

    /// @notice Register a property for `owner`; callers need MANAGER_ROLE or OPERATOR_ROLE. Ids start at 1.
    function registerProperty(address owner, string calldata metadataURI_) external returns (uint256 id) {
        if (!_hasRole(Roles.MANAGER_ROLE, msg.sender) && !_hasRole(Roles.OPERATOR_ROLE, msg.sender)) {
            revert Unauthorized(msg.sender);
        }
        if (owner == address(0)) revert ZeroAddress();
        RegistryStorage storage $ = _store();
        id = $.nextId;
        $.nextId = id + 1;
        Property storage p = $.properties[id];
        p.owner = owner;
        p.status = uint8(Status.Active);
        p.metadataURI = metadataURI_;
        $.propertyCountOf[owner] += 1;
        emit PropertyRegistered(id, owner, metadataURI_);
    }

    /// @notice Move property `id` to `newOwner`; only its current owner may.
    function transferProperty(uint256 id, address newOwner) external {
        if (newOwner == address(0)) revert ZeroAddress();
        RegistryStorage storage $ = _store();
        Property storage p = $.properties[id];
        address from = p.owner;
        if (from == address(0)) revert UnknownProperty(id);
        if (msg.sender != from) revert NotPropertyOwner(id, msg.sender);
        p.owner = newOwner;
        $.propertyCountOf[from] -= 1;
        $.propertyCountOf[newOwner] += 1;
        emit PropertyTransferred(id, from, newOwner);
    }

    /// @notice Set the status of property `id` (Active..Archived); MANAGER_ROLE only.
    function setStatus(uint256 id, uint8 status) external {
        if (!_hasRole(Roles.MANAGER_ROLE, msg.sender)) revert Unauthorized(msg.sender);
        if (status == uint8(Status.None) || status > uint8(Status.Archived)) revert InvalidStatus(status);
        Property storage p = _existing(id);
        p.status = status;
        emit StatusChanged(id, status);
    }

    /// @notice Replace the metadata URI of property `id`; its owner or a MANAGER_ROLE holder.
    function setMetadataURI(uint256 id, string calldata uri) external {
        Property storage p = _existing(id);
        if (msg.sender != p.owner && !_hasRole(Roles.MANAGER_ROLE, msg.sender)) revert Unauthorized(msg.sender);
        p.metadataURI = uri;
        emit MetadataURIChanged(id, uri);
    }

    /// @notice Set the category of property `id` (< categoryCount()); MANAGER_ROLE only.
    function setCategory(uint256 id, uint8 category) external {
        if (!_hasRole(Roles.MANAGER_ROLE, msg.sender)) revert Unauthorized(msg.sender);
        _existing(id);
        RegistryStorage storage $ = _store();
        if (category >= $.categoryCount) revert InvalidCategory(category);
        $.categories[id] = category + 1;
        emit CategoryChanged(id, category);
    }

    /// @notice Category of property `id`: the one set, else `defaultCategory()`. Reverts for an unknown id.
    function categoryOf(uint256 id) external view returns (uint8) {
        _existing(id);
        RegistryStorage storage $ = _store();
        uint8 stored = $.categories[id];
        return stored == 0 ? $.defaultCategory : stored - 1;
    }

    function defaultCategory() external view returns (uint8) {
        return _store().defaultCategory;
    }

    function categoryCount() external view returns (uint8) {
        return _store().categoryCount;
    }

    /// @notice Owner of property `id`; reverts with UnknownProperty for an id never registered.
    function ownerOf(uint256 id) external view returns (address) {
        return _existing(id).owner;
    }

    /// @notice Status of property `id`; 0 (None) for an id never registered.
    function statusOf(uint256 id) external view returns (uint8) {
        return _store().properties[id].status;
    }

    /// @notice Metadata URI of property `id`; reverts with UnknownProperty for an id never registered.
    function metadataURI(uint256 id) external view returns (string memory) {
        return _existing(id).metadataURI;
    }

    function exists(uint256 id) external view returns (bool) {
        return _store().properties[id].owner != address(0);
    }

    /// @notice Number of properties ever registered (ids 1..propertyCount()).
    function propertyCount() external view returns (uint256) {
        uint256 next = _store().nextId;
        return next == 0 ? 0 : next - 1;
    }

    /// @notice Number of properties `owner` currently holds.
    function propertiesOf(address owner) external view returns (uint256) {
        return _store().propertyCountOf[owner];
    }

    function accessHub() external view returns (address) {
        return _store().accessHub;
    }

    /// @notice The governance Safe: the only address allowed to upgrade this module.
    function governance() external view returns (address) {
        return _store().governance;
    }

    function version() external pure returns (string memory) {
        return "2.0.0";
    }

    function _existing(uint256 id) private view returns (Property storage p) {
        p = _store().properties[id];
        if (p.owner == address(0)) revert UnknownProperty(id);
    }

    function _hasRole(bytes32 role, address account) private view returns (bool) {
        return IAccessHub(_store().accessHub).hasRole(role, account);
    }

    function _store() private pure returns (RegistryStorage storage $) {
        assembly {
            $.slot := REGISTRY_STORAGE_LOCATION
        }
    }

    function _authorizeUpgrade(address) internal view override {
        if (msg.sender != _store().governance) revert NotGovernance(msg.sender);
    }
}
