// The team's own upgrade, outside upgrader: hardhat-upgrades' upgradeProxy of the proxy at PROXY to
// CounterV2, through the ProxyAdmin the deployer still owns.
const { ethers, upgrades } = require("hardhat");

async function main() {
  const CounterV2 = await ethers.getContractFactory("CounterV2");
  await upgrades.upgradeProxy(process.env.PROXY, CounterV2);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
