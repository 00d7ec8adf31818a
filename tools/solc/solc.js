#!/usr/bin/env node
// A native-solc-compatible front end for solc-js (the official Emscripten build).
// py-solc-x / ape-solidity only ever call `solc --version` and
// `solc --standard-json [--base-path P] [--allow-paths A] [--include-path I]` with the
// input on stdin; this answers exactly those, with the same compiler, so the
// bytecode and metadata are the ones native solc of this version produces.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require(path.join(__dirname, 'node_modules', 'solc'));

function die(msg) {
  process.stderr.write(msg + '\n');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { mode: null, basePath: null, includePaths: [], allowPaths: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const take = () => {
      if (i + 1 >= argv.length) die(`solc: ${a} needs a value`);
      return argv[++i];
    };
    if (a === '--version') opts.mode = 'version';
    else if (a === '--standard-json') opts.mode = 'standard-json';
    else if (a === '--base-path') opts.basePath = take();
    else if (a === '--include-path') opts.includePaths.push(take());
    else if (a === '--allow-paths') opts.allowPaths.push(...take().split(','));
    else if (a.startsWith('--base-path=')) opts.basePath = a.slice(12);
    else if (a.startsWith('--allow-paths=')) opts.allowPaths.push(...a.slice(14).split(','));
    else if (a === '-' ) continue;
    else die(`solc (solc-js front end): unsupported argument ${a}; only --version and --standard-json are provided`);
  }
  return opts;
}

// Native solc resolves imports that are not in `sources` against the base path and
// include paths; do the same through solc-js's import callback.
function makeImportCallback(opts) {
  const roots = [opts.basePath || process.cwd(), ...opts.includePaths];
  return function findImports(importPath) {
    const candidates = path.isAbsolute(importPath)
      ? [importPath]
      : roots.map((r) => path.resolve(r, importPath));
    for (const c of candidates) {
      try {
        return { contents: fs.readFileSync(c, 'utf8') };
      } catch (_) { /* try the next root */ }
    }
    return { error: `File not found: ${importPath} (searched ${roots.join(', ')})` };
  };
}

function nativeVersion() {
  // solc-js reports "<ver>+commit.<hash>.Emscripten.clang"; py-solc-x parses the
  // version and commit only. Keep both, and say what we are in the platform part.
  const [ver] = solc.version().split('.Emscripten');
  return `${ver}.Linux.g++`;
}

const opts = parseArgs(process.argv.slice(2));
if (opts.mode === 'version') {
  process.stdout.write('solc, the solidity compiler commandline interface (solc-js front end)\n');
  process.stdout.write(`Version: ${nativeVersion()}\n`);
  process.exit(0);
}
if (opts.mode !== 'standard-json') die('solc (solc-js front end): pass --version or --standard-json');

const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const input = Buffer.concat(chunks).toString('utf8');
  const output = solc.compile(input, { import: makeImportCallback(opts) });
  process.stdout.write(output + '\n');
});
