// Runs a WASI preview1 command under Node's node:wasi, taking the arguments
// `halter run` takes, so that a test can give both the same command line:
//   node --no-warnings node_wasi.mjs PROG.wasm [--dir HOST::GUEST[:rw|:ro]]... [-- ARGS...]
// argv is PROG.wasm then ARGS, as in halter; no environment variables; stdio
// is the process's. node:wasi has no read-only preopens: ":rw" and ":ro" are dropped.
import fs from 'node:fs';
import { WASI } from 'node:wasi';

const [path, ...rest] = process.argv.slice(2);
const preopens = {};
let i = 0;
for (; i < rest.length && rest[i] !== '--'; i += 2) {
  const spec = rest[i + 1];
  const at = spec === undefined ? -1 : spec.indexOf('::');
  if (rest[i] !== '--dir' || at < 0) {
    console.error(`node_wasi.mjs: expected --dir HOST::GUEST or --, got ${rest[i]} ${spec ?? ''}`);
    process.exit(2);
  }
  preopens[spec.slice(at + 2).replace(/:(rw|ro)$/, '')] = spec.slice(0, at);
}
const args = [path, ...rest.slice(i + 1)];
const wasi = new WASI({ version: 'preview1', args, env: {}, preopens, returnOnExit: true });
const module = new WebAssembly.Module(fs.readFileSync(path));
const instance = new WebAssembly.Instance(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
