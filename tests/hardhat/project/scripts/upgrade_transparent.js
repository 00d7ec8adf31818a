// The team's own upgrade, outside upgrader: hardhat-upgrades' upgradeProxy of the proxy at PROXY to
// CounterV2, through the ProxyAdmin the deployer still owns. Prints the new implementation.
const { ethers, upgrades } = require("hardhat");

async function main() {
  const CounterV2 = await ethers.getContractFactory("CounterV2");
  const counter = await upgrades.upgradeProxy(process.env.PROXY, CounterV2);
  const implementation = await upgrades.erc1967.getImplementationAddress(await counter.getAddress());
  console.log(JSON.stringify({ implementation }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
