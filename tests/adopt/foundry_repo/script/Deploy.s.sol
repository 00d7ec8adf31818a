// SPDX-License-Identifier: MIT
pragma solidity 0.8.21;

import {ProxyAdmin} from "@openzeppelin/contracts/proxy/transparent/ProxyAdmin.sol";
import {TransparentUpgradeableProxy} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";
import {TokenVault} from "../src/TokenVault.sol";
import {RewardsDistributorUpgradeable} from "../src/rewards/RewardsDistributorUpgradeable.sol";

interface Vm {
    function startBroadcast() external;
    function stopBroadcast() external;
}

/// The team's deployment: one ProxyAdmin (owned by the deployer) for two Transparent proxies.
contract Deploy {
    Vm private constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    function run() external {
        vm.startBroadcast();
        ProxyAdmin admin = new ProxyAdmin();
        new TransparentUpgradeableProxy(
            address(new TokenVault(1000)), address(admin), abi.encodeCall(TokenVault.initialize, (msg.sender))
        );
        new TransparentUpgradeableProxy(
            address(new RewardsDistributorUpgradeable(7 days)),
            address(admin),
            abi.encodeCall(RewardsDistributorUpgradeable.initialize, (msg.sender))
        );
        vm.stopBroadcast();
    }
}
