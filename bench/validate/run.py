#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Validation-only throughput, kiln's frontend next to V8, in one run so the ratio holds on a
# shared machine: for each large real module (npm packages in bench/node_modules, installed here
# with `npm ci` if missing), bench_validate and node's WebAssembly.validate each validate it RUNS
# times, alternating ROUNDS times (kiln first in even rounds, V8 first in odd ones); MB/s from
# process CPU time. The machine is shared, so two figures: "best" (the fastest run of all, least
# disturbed by neighbours) and "median" (of each round's median); ratio = kiln / V8 for each.
# --cpu N runs both on CPU N only (taskset): on a machine whose CPUs differ in speed from moment
# to moment (one busy with another guest, say), both then run in the same state.
# Usage: bench/validate/run.py BUILD_DIR [--runs N] [--rounds N] [--cpu N]
import argparse, os, statistics, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
MODULES = [
    ('yosys', 'node_modules/@yowasp/yosys/gen/yosys.core.wasm'),
    ('esbuild', 'node_modules/esbuild-wasm/esbuild.wasm'),
    ('sql.js', 'node_modules/sql.js/dist/sql-wasm.wasm'),
]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('build_dir')
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--cpu', type=int, help='run both on this CPU only (taskset -c)')
    a = ap.parse_args()
    pin = ['taskset', '-c', str(a.cpu)] if a.cpu is not None else []
    exe = os.path.join(a.build_dir, 'bench_validate')
    if not os.path.exists(exe):
        subprocess.run(['cmake', '--build', a.build_dir, '--target', 'bench_validate', '-j2'],
                       check=True)
    if not all(os.path.exists(os.path.join(BENCH, p)) for _, p in MODULES):
        subprocess.run(['npm', 'ci', '--no-audit', '--no-fund'], cwd=BENCH, check=True)
    rows = []
    for name, rel in MODULES:
        path = os.path.join(BENCH, rel)
        kiln, v8, kiln_best, v8_best = [], [], [], []
        kiln_cmd = pin + [exe, str(a.runs), path]
        v8_cmd = pin + ['node', os.path.join(HERE, 'v8_validate.js'), str(a.runs), path]
        for rnd in range(a.rounds):
            # Alternate which side goes first: back-to-back processes here tend to alternate
            # between a slow and a fast machine state, so a fixed order could tilt the ratio.
            sides = [(kiln_cmd, kiln, kiln_best), (v8_cmd, v8, v8_best)]
            if rnd % 2 == 1:
                sides.reverse()
            for cmd, med, best in sides:
                out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()
                med.append(float(out[4]))
                best.append(float(out[3]))
        size = os.path.getsize(path) / 1e6
        k, v = statistics.median(kiln), statistics.median(v8)
        kb, vb = max(kiln_best), max(v8_best)
        rows.append((name, size, kb, vb, kb / vb, k, v, k / v))
    print('%-8s %6s | %10s %10s %6s | %10s %10s %6s' % (
        'module', 'MB', 'kiln best', 'V8 best', 'ratio', 'kiln med', 'V8 med', 'ratio'))
    for name, size, kb, vb, rb, k, v, r in rows:
        print('%-8s %6.1f | %10.1f %10.1f %5.2fx | %10.1f %10.1f %5.2fx' % (
            name, size, kb, vb, rb, k, v, r))
    print('(MB/s of process CPU time, %d runs x %d rounds each%s)' % (
        a.runs, a.rounds, '' if a.cpu is None else ', both on CPU %d' % a.cpu))
    return 0

if __name__ == '__main__':
    sys.exit(main())
