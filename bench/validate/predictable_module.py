#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# A module whose instruction order a branch predictor can learn: FUNCS functions (default 400),
# each a block that repeats one 22-instruction sequence (locals, constants, an add, a load, a
# store, br_if, a nested block) REPEATS times (default 40), about 350,000 instructions and
# 680 KB in all, near sql.js's size. bench_validate and bench_walk on it against a real module of
# the same size show how much of their time the real module's less predictable order costs
# (docs/BENCHMARKS.md, frontend, session 11). Needs wat2wasm (wabt).
# Usage: bench/validate/predictable_module.py OUT.wasm [FUNCS [REPEATS]]
import os, subprocess, sys, tempfile

SEQUENCE = """local.get 0
local.get 1
i32.add
local.set 2
local.get 2
i32.const 5
i32.add
i32.load offset=8
local.tee 3
i32.const 1000
i32.and
i32.eqz
br_if 0
local.get 3
local.get 0
i32.store offset=4
block
local.get 1
br_if 0
local.get 2
local.set 1
end
"""

def main():
    if len(sys.argv) < 2:
        print('usage: predictable_module.py OUT.wasm [FUNCS [REPEATS]]', file=sys.stderr)
        return 2
    out = sys.argv[1]
    funcs = int(sys.argv[2]) if len(sys.argv) > 2 else 400
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    body = '(func (param i32 i32) (local i32 i32)\nblock\n%send)\n' % (SEQUENCE * repeats)
    with tempfile.NamedTemporaryFile('w', suffix='.wat', delete=False) as f:
        f.write('(module (memory 1)\n%s)\n' % (body * funcs))
        wat = f.name
    try:
        subprocess.run(['wat2wasm', wat, '-o', out], check=True)
    finally:
        os.unlink(wat)
    return 0

if __name__ == '__main__':
    sys.exit(main())
