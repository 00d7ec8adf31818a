// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Brings OpenZeppelin's ERC1967Proxy into the build so the deployer can put each module
// behind its own proxy with exactly the bytecode compiled here.
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
