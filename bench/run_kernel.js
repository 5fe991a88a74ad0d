// Times one benchmark kernel under Node's V8: instantiates <kernel.wasm>, calls
// its `run` export with <n> <reps> times and prints "<best ms> <checksum>".
'use strict';
const fs = require('fs');

function main() {
  const [file, nArg, repsArg] = process.argv.slice(2);
  if (!file || nArg === undefined) {
    console.error('usage: node run_kernel.js <kernel.wasm> <n> [reps]');
    process.exit(2);
  }
  const n = Number(nArg) >>> 0;
  const reps = Math.max(1, Number(repsArg || 3) | 0);
  const module = new WebAssembly.Module(fs.readFileSync(file));
  const instance = new WebAssembly.Instance(module, {});
  const run = instance.exports.run;
  let best = Infinity;
  let checksum = 0;
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    checksum = run(n) >>> 0;
    const t1 = process.hrtime.bigint();
    best = Math.min(best, Number(t1 - t0) / 1e6);
  }
  console.log(`${best.toFixed(3)} ${checksum}`);
}

main();
