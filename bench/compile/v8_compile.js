// SPDX-License-Identifier: Apache-2.0
// Times V8's synchronous compile (`new WebAssembly.Module(bytes)`) of one module, the peer side of
// bench/compile. Run it with the flags that pin V8 to one tier and one thread, e.g.
//   node --liftoff-only --no-wasm-lazy-compilation --single-threaded v8_compile.js FILE.wasm 5
// Each run appends a distinct custom section so V8's native-module cache (keyed by the wire
// bytes) cannot hand back the previous run's code; the copy happens outside the timed region.
'use strict';
const fs = require('fs');

function uleb(n) {
    const out = [];
    do {
        let b = n & 0x7f;
        n >>>= 7;
        if (n !== 0) b |= 0x80;
        out.push(b);
    } while (n !== 0);
    return out;
}

function withNonce(bytes, i) {
    const name = Buffer.from('kiln-bench-nonce');
    const payload = Buffer.from(`${process.pid}-${i}-${Date.now()}`);
    const body = Buffer.concat([Buffer.from(uleb(name.length)), name, payload]);
    const sec = Buffer.concat([Buffer.from([0]), Buffer.from(uleb(body.length)), body]);
    return Buffer.concat([bytes, sec]);
}

const [file, runsArg] = process.argv.slice(2);
if (!file) {
    console.error('usage: node [v8 flags] v8_compile.js FILE.wasm [RUNS]');
    process.exit(2);
}
const runs = Math.max(1, parseInt(runsArg || '5', 10));
const bytes = fs.readFileSync(file);
const wall = [];
const cpu = [];
for (let i = 0; i < runs; i++) {
    const b = withNonce(bytes, i);
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const m = new WebAssembly.Module(b);
    const t1 = process.hrtime.bigint();
    const c1 = process.cpuUsage(c0);
    if (!m) throw new Error('no module');
    wall.push(Number(t1 - t0) / 1e6);
    cpu.push((c1.user + c1.system) / 1e3);
}
const median = (v) => {
    const s = [...v].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
};
const mb = bytes.length / 1e6;
const r2 = (x) => +x.toFixed(2);
// One machine-readable line: file bytes, median wall and CPU ms (whole process: all threads),
// MB/s from each, and every run.
console.log(JSON.stringify({ file, bytes: bytes.length, runs, median_wall_ms: r2(median(wall)),
                             median_cpu_ms: r2(median(cpu)),
                             mb_per_s_wall: r2(mb / (median(wall) / 1e3)),
                             mb_per_s_cpu: r2(mb / (median(cpu) / 1e3)),
                             wall_ms: wall.map(r2), cpu_ms: cpu.map(r2) }));
