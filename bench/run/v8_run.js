// SPDX-License-Identifier: Apache-2.0
// V8 side of bench/run: instantiates a reactor module with no imports, calls `_initialize` if
// exported (as `kiln run` does), then `run(N)`, and prints the result on its own line, as
// `kiln run --invoke run FILE.wasm N` does. The tier is chosen by node flags
// (--liftoff-only or --no-liftoff); timing is done by the caller around the whole process.
'use strict';
const fs = require('fs');

const [file, nArg] = process.argv.slice(2);
if (!file || nArg === undefined) {
    console.error('usage: node [v8 flags] v8_run.js FILE.wasm N');
    process.exit(2);
}
const mod = new WebAssembly.Module(fs.readFileSync(file));
const inst = new WebAssembly.Instance(mod, {});
if (inst.exports._initialize) inst.exports._initialize();
console.log(String(inst.exports.run(parseInt(nArg, 10))));
