// A Hardhat 2 project as a team has it: hardhat-upgrades (which also asks solc for storage
// layouts), one solc version, the optimizer on. The network `anvil` is the tests' own Anvil.
const path = require("path");
const { subtask } = require("hardhat/config");
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require("hardhat/builtin-tasks/task-names");
require("@nomicfoundation/hardhat-ethers");
require("@openzeppelin/hardhat-upgrades");

// Hardhat cannot download solc on this machine: compile with the solc-js of node_modules.
// Overriding TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD is Hardhat 2's documented way to use a local
// compiler (https://hardhat.org/hardhat-runner/docs/other-guides/using-custom-solc).
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args, hre, runSuper) => {
  if (args.solcVersion !== "0.8.28") return runSuper();
  return {
    compilerPath: path.join(__dirname, "node_modules", "solc", "soljson.js"),
    isSolcJs: true,
    version: "0.8.28",
    longVersion: "0.8.28+commit.7893614a",
  };
});

module.exports = {
  solidity: {
    version: "0.8.28",
    settings: { optimizer: { enabled: true, runs: 1000 } },
  },
  networks: {
    anvil: { url: process.env.ANVIL_URL || "http://127.0.0.1:8545" },
  },
};
