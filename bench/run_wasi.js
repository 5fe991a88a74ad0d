// Runs a WASI command under Node's node:wasi with the process's stdio:
//   node --no-warnings run_wasi.js PROG.wasm [ARGS...]
'use strict';
const fs = require('node:fs');
const { WASI } = require('node:wasi');

const [path, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: [path, ...args], env: {}, returnOnExit: true });
const wasm = new WebAssembly.Module(fs.readFileSync(path));
const instance = new WebAssembly.Instance(wasm, wasi.getImportObject());
process.exitCode = wasi.start(instance);
