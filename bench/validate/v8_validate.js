// SPDX-License-Identifier: Apache-2.0
// V8's validation throughput, for the frontend's benchmark: WebAssembly.validate() on each
// module RUNS times, timed in process CPU time (user + system) like bench_validate, or with
// --wall in wall-clock time (V8 validates a large module's functions on several threads).
// Prints one line per module: `v8 FILE BYTES best median` (MB/s).
// Usage: node v8_validate.js [--wall] RUNS FILE.wasm...
'use strict';
const fs = require('fs');

const args = process.argv.slice(2);
const wall = args[0] === '--wall';
if (wall)
  args.shift();
const runs = Math.max(1, parseInt(args[0], 10) || 5);
for (const file of args.slice(1)) {
  const bytes = fs.readFileSync(file);
  if (!WebAssembly.validate(bytes)) {
    console.error(`error: ${file}: V8 says invalid`);
    process.exit(1);
  }
  const t = [];
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const w0 = process.hrtime.bigint();
    const ok = WebAssembly.validate(bytes);
    const w = Number(process.hrtime.bigint() - w0) / 1e9;
    const c = process.cpuUsage(c0);
    if (!ok) process.exit(1);
    t.push(wall ? w : (c.user + c.system) / 1e6);
  }
  t.sort((a, b) => a - b);
  const mb = bytes.length / 1e6;
  console.log(`v8 ${file} ${bytes.length} ${(mb / t[0]).toFixed(1)} ` +
              `${(mb / t[Math.floor(runs / 2)]).toFixed(1)}`);
}
