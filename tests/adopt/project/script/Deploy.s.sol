// SPDX-License-Identifier: MIT
pragma solidity ^0.8.22;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {TransparentUpgradeableProxy} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";
import {UpgradeableBeacon} from "@openzeppelin/contracts/proxy/beacon/UpgradeableBeacon.sol";
import {BeaconProxy} from "@openzeppelin/contracts/proxy/beacon/BeaconProxy.sol";
import {ERC1967Proxy as ERC1967ProxyV4} from "@openzeppelin/contracts-v4/proxy/ERC1967/ERC1967Proxy.sol";
import {TransparentUpgradeableProxy as TransparentProxyV4} from "@openzeppelin/contracts-v4/proxy/transparent/TransparentUpgradeableProxy.sol";
import {ProxyAdmin as ProxyAdminV4} from "@openzeppelin/contracts-v4/proxy/transparent/ProxyAdmin.sol";
import {Counter} from "../src/v1/Counter.sol";
import {Vault} from "../src/v1/Vault.sol";
import {Item} from "../src/v1/Item.sol";
import {LegacyCounter} from "../src/v1/LegacyCounter.sol";
import {Registry} from "../src/v1/Registry.sol";

interface Vm {
    function envAddress(string calldata name) external view returns (address);
    function startBroadcast() external;
    function stopBroadcast() external;
}

/// Deploys the five modules and hands every upgrade right to the Safe given in $SAFE.
contract Deploy {
    Vm private constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    function run() external {
        address safe = vm.envAddress("SAFE");
        vm.startBroadcast();
        new ERC1967Proxy(address(new Counter()), abi.encodeCall(Counter.initialize, (safe, 7)));
        new TransparentUpgradeableProxy(address(new Vault(1000)), safe, abi.encodeCall(Vault.initialize, ()));
        UpgradeableBeacon beacon = new UpgradeableBeacon(address(new Item()), safe);
        new BeaconProxy(address(beacon), abi.encodeCall(Item.initialize, ("first")));
        new BeaconProxy(address(beacon), abi.encodeCall(Item.initialize, ("second")));
        new ERC1967ProxyV4(address(new LegacyCounter()), abi.encodeCall(LegacyCounter.initialize, (safe)));
        ProxyAdminV4 admin = new ProxyAdminV4(); // 4.9: owned by its deployer, then handed over
        new TransparentProxyV4(address(new Registry()), address(admin), abi.encodeCall(Registry.initialize, ()));
        admin.transferOwnership(safe);
        vm.stopBroadcast();
    }
}
