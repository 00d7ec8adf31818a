// SPDX-License-Identifier: MIT
pragma solidity ^0.8.22;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

/// Item V2: a note per item, written by the reinitializer on every beacon proxy.
contract ItemV2 is Initializable {
    /// @custom:storage-location erc7201:fixture.item
    struct ItemStorage {
        string label;
        uint256 uses;
        string note;
    }

    // keccak256(abi.encode(uint256(keccak256("fixture.item")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant ITEM_STORAGE = 0x5739acdbf280c785c4e0b134f40eae2f76e2c3f2d2f61ff5c7fcb977b3766800;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function _s() private pure returns (ItemStorage storage s) {
        assembly {
            s.slot := ITEM_STORAGE
        }
    }

    function initialize(string calldata label_) external initializer {
        _s().label = label_;
    }

    function initializeV2() external reinitializer(2) {
        _s().note = "v2";
    }

    function label() external view returns (string memory) {
        return _s().label;
    }

    function note() external view returns (string memory) {
        return _s().note;
    }

    function use() external {
        _s().uses += 1;
    }

    function uses() external view returns (uint256) {
        return _s().uses;
    }
}
