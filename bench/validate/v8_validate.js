// SPDX-License-Identifier: Apache-2.0
// V8's validation throughput, for the frontend's benchmark: WebAssembly.validate() on each
// module RUNS times, timed in process CPU time (user + system) like bench_validate.
// Prints one line per module: `v8 FILE BYTES best median` (MB/s).
'use strict';
const fs = require('fs');

const runs = Math.max(1, parseInt(process.argv[2], 10) || 5);
for (const file of process.argv.slice(3)) {
  const bytes = fs.readFileSync(file);
  if (!WebAssembly.validate(bytes)) {
    console.error(`error: ${file}: V8 says invalid`);
    process.exit(1);
  }
  const t = [];
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const ok = WebAssembly.validate(bytes);
    const c = process.cpuUsage(c0);
    if (!ok) process.exit(1);
    t.push((c.user + c.system) / 1e6);
  }
  t.sort((a, b) => a - b);
  const mb = bytes.length / 1e6;
  console.log(`v8 ${file} ${bytes.length} ${(mb / t[0]).toFixed(1)} ` +
              `${(mb / t[Math.floor(runs / 2)]).toFixed(1)}`);
}
