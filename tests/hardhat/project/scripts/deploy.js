// Deploys Box behind a UUPS proxy with hardhat-upgrades, as a Hardhat team does; hardhat-upgrades
// records it in .openzeppelin/<network>.json (on
// a development node such as Anvil: <tmpdir>/openzeppelin-upgrades/anvil-<chainId>-<instanceId>.json).
// Ownership then goes to the Safe named by SAFE. Prints the addresses as one JSON line.
const { ethers, upgrades } = require("hardhat");

async function main() {
  const [owner] = await ethers.getSigners();
  const Box = await ethers.getContractFactory("Box");
  const box = await upgrades.deployProxy(Box, [owner.address, 42], { kind: "uups" });
  await box.waitForDeployment();
  const proxy = await box.getAddress();
  const implementation = await upgrades.erc1967.getImplementationAddress(proxy);
  if (process.env.SAFE) {
    await (await box.transferOwnership(process.env.SAFE)).wait(); // upgrades are the Safe's from now on
  }
  console.log(JSON.stringify({ proxy, implementation, owner: owner.address }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
