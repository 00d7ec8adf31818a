// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {TransparentUpgradeableProxy} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";
import {Tally} from "../src/Tally.sol";

interface Vm {
    function startBroadcast() external;
    function stopBroadcast() external;
}

/// The team's deployment: the proxy makes its own ProxyAdmin, owned by the deployer (OpenZeppelin 5).
contract Deploy {
    Vm private constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    function run() external returns (address) {
        vm.startBroadcast();
        Tally tally = new Tally();
        TransparentUpgradeableProxy proxy =
            new TransparentUpgradeableProxy(address(tally), msg.sender, abi.encodeCall(Tally.initialize, (20)));
        vm.stopBroadcast();
        return address(proxy);
    }
}
