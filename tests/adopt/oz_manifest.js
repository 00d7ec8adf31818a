#!/usr/bin/env node
// Write an OpenZeppelin Upgrades network manifest for one proxy with upgrades-core's own code,
// the way hardhat-upgrades does when it deploys: validate the build (with the namespaced
// compile for ERC-7201 layouts), take the contract's version and stored layout, and record
// the implementation and the proxy through `Manifest.lockedRun`.
//
//   node oz_manifest.js <build-info.json> <source:Contract> <chainId> <implAddress> <proxyAddress> <kind> [txHash]
//
// Run with the project as the working directory: the manifest goes to .openzeppelin/.
'use strict';
const fs = require('fs');
const path = require('path');
const core = require('@openzeppelin/upgrades-core');

async function main() {
  const [buildInfoPath, fqn, chainId, impl, proxy, kind, txHash] = process.argv.slice(2);
  const info = JSON.parse(fs.readFileSync(buildInfoPath, 'utf8'));
  const solc = require('solc');
  const namespacedInput = core.makeNamespacedInput(info.input, info.output, info.solcVersion);
  for (const key of ['version', 'allowPaths', 'basePath', 'includePaths']) delete namespacedInput[key]; // forge's own keys, not standard JSON
  const namespacedOutput = JSON.parse(solc.compile(JSON.stringify(namespacedInput)));
  const decodeSrc = core.solcInputOutputDecoder(info.input, info.output);
  const runData = core.validate(info.output, decodeSrc, info.solcVersion, info.input, namespacedOutput);
  const [source, name] = [fqn.slice(0, fqn.lastIndexOf(':')), fqn.slice(fqn.lastIndexOf(':') + 1)];
  const bytecode = info.output.contracts[source][name].evm.bytecode.object;
  const version = core.getVersion(bytecode);
  const layout = core.getStorageLayout([runData], version);
  const manifest = new core.Manifest(Number(chainId));
  await manifest.lockedRun(async () => {
    const data = await manifest.read();
    data.impls[version.linkedWithoutMetadata] = { address: impl, txHash, layout };
    data.proxies.push({ address: proxy, txHash, kind });
    await manifest.write(data);
  });
  process.stdout.write(manifest.file + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + '\n');
  process.exit(1);
});
