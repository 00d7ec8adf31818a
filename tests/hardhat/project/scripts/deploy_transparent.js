// Deploys Counter behind a Transparent proxy with hardhat-upgrades (its ProxyAdmin is created by the
// proxy, owned by the deployer), as a Hardhat team does. Prints the addresses as one JSON line.
const { ethers, upgrades } = require("hardhat");

async function main() {
  const Counter = await ethers.getContractFactory("Counter");
  const counter = await upgrades.deployProxy(Counter, [777], { kind: "transparent" });
  await counter.waitForDeployment();
  const proxy = await counter.getAddress();
  const admin = await upgrades.erc1967.getAdminAddress(proxy);
  console.log(JSON.stringify({ proxy, admin, implementation: await upgrades.erc1967.getImplementationAddress(proxy) }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
