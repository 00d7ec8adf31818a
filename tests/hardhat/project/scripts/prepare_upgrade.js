// OpenZeppelin's multisig path: hardhat-upgrades' prepareUpgrade checks BoxV2 against the proxy at
// PROXY and deploys its implementation from the team's account; the Safe then makes the upgrade call.
// Prints the implementation's address as one JSON line.
const { ethers, upgrades } = require("hardhat");

async function main() {
  const BoxV2 = await ethers.getContractFactory("BoxV2");
  const implementation = await upgrades.prepareUpgrade(process.env.PROXY, BoxV2, { kind: "uups" });
  console.log(JSON.stringify({ implementation }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
