#!/usr/bin/env node
// A native-solc-compatible front end for solc-js (the official Emscripten build).
// py-solc-x / ape-solidity only ever call `solc --version` and
// `solc --standard-json [--base-path P] [--allow-paths A] [--include-path I]` with the
// input on stdin; this answers exactly those, with the same compiler, so the
// bytecode and metadata are the ones native solc of this version produces.
//
// It drives the Emscripten module (soljson.js) directly rather than through solc-js's
// wrapper: the wrapper's `ccall` copies the whole input onto the 5 MiB Emscripten stack and
// dies with "memory access out of bounds" on inputs over ~1.3 MB. Here the input is copied
// into the heap with solc's own allocator and passed to `solidity_compile` as a pointer;
// the import callback and `solidity_reset` follow solc-js's bindings (bindings/compile.js).
'use strict';
const fs = require('fs');
const path = require('path');
const soljson = require(path.join(__dirname, 'node_modules', 'solc', 'soljson.js'));

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
  // soljson reports "<ver>+commit.<hash>.Emscripten.clang"; py-solc-x parses the
  // version and commit only. Keep both, and say what we are in the platform part.
  const [ver] = soljson.cwrap('solidity_version', 'string', [])().split('.Emscripten');
  return `${ver}.Linux.g++`;
}

// Copy a JS string into solc's heap (freed by solidity_reset) and return its address.
function toHeap(text) {
  const alloc = soljson.cwrap('solidity_alloc', 'number', ['number']);
  const size = soljson.lengthBytesUTF8(text) + 1;
  const ptr = alloc(size);
  soljson.stringToUTF8(text, ptr, size);
  return ptr;
}

function compileStandard(input, findImports) {
  const compile = soljson.cwrap('solidity_compile', 'string', ['number', 'number', 'number']);
  // (context, kind, data, *contents, *error): answer `source` reads; refuse SMT queries.
  const callback = soljson.addFunction((context, kind, data, contents, error) => {
    const result = soljson.UTF8ToString(kind) === 'source'
      ? findImports(soljson.UTF8ToString(data))
      : { error: 'SMT solver callback not supported' };
    if (typeof result.contents === 'string') soljson.setValue(contents, toHeap(result.contents), '*');
    if (typeof result.error === 'string') soljson.setValue(error, toHeap(result.error), '*');
  }, 'viiiii');
  try {
    return compile(toHeap(input), callback, 0);
  } finally {
    soljson.removeFunction(callback);
    soljson.cwrap('solidity_reset', null, [])();
  }
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
  const output = compileStandard(input, makeImportCallback(opts));
  process.stdout.write(output + '\n');
});
