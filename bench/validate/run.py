#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Validation-only throughput, kiln's frontend next to V8, in one run so the ratio holds on a
# shared machine: for each large real module (npm packages in bench/node_modules, installed here
# with `npm ci` if missing), bench_validate and node's WebAssembly.validate each validate it RUNS
# times, alternating ROUNDS times (kiln first in even rounds, V8 first in odd ones). Two tables:
# - CPU time: MB/s of process CPU time, kiln on one thread; V8's figure counts the CPU time of all
#   its threads. Work per byte, the measure of the decoder itself. kiln decodes through a pool of
#   one thread, which keeps its scratch memory from run to run; with --fresh, without one.
# - wall clock (with --wall): MB/s of elapsed time, kiln on one thread per online CPU
#   (bench_validate --threads), V8 as node runs it (it validates functions on several threads).
#   What a user waits for; needs a quiet machine, and is never pinned.
# Each table gives "best" (the fastest run of all, least disturbed by neighbours) and "median"
# (of each round's median); ratio = kiln / V8 for each.
# --cpu N runs the CPU-time table on CPU N only (taskset): on a machine whose CPUs differ in speed
# from moment to moment (one busy with another guest, say), both then run in the same state.
# Usage: bench/validate/run.py BUILD_DIR [--runs N] [--rounds N] [--cpu N] [--wall] [--fresh]
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
    ap.add_argument('--cpu', type=int, help='run the CPU-time table on this CPU only (taskset -c)')
    ap.add_argument('--wall', action='store_true',
                    help='also the wall-clock table: kiln on one thread per online CPU, V8 as is')
    ap.add_argument('--fresh', action='store_true',
                    help='CPU-time table: kiln without a pool (each run allocates its scratch)')
    a = ap.parse_args()
    exe = os.path.join(a.build_dir, 'bench_validate')
    if not os.path.exists(exe):
        subprocess.run(['cmake', '--build', a.build_dir, '--target', 'bench_validate', '-j2'],
                       check=True)
    if not all(os.path.exists(os.path.join(BENCH, p)) for _, p in MODULES):
        subprocess.run(['npm', 'ci', '--no-audit', '--no-fund'], cwd=BENCH, check=True)
    v8_js = os.path.join(HERE, 'v8_validate.js')
    pin = ['taskset', '-c', str(a.cpu)] if a.cpu is not None else []
    fresh = ['--fresh'] if a.fresh else []
    table(a, 'MB/s of process CPU time, kiln on one thread%s%s' % (
        ' without a pool' if a.fresh else '', '' if a.cpu is None else ', both on CPU %d' % a.cpu),
          lambda path: pin + [exe] + fresh + [str(a.runs), path],
          lambda path: pin + ['node', v8_js, str(a.runs), path])
    if a.wall:
        threads = str(min(64, os.cpu_count() or 1))
        print()
        table(a, 'MB/s of wall-clock time, kiln on %s threads, V8 as node runs it' % threads,
              lambda path: [exe, '--threads', threads, str(a.runs), path],
              lambda path: ['node', v8_js, '--wall', str(a.runs), path])
    return 0

def table(a, what, kiln_cmd_of, v8_cmd_of):
    rows = []
    for name, rel in MODULES:
        path = os.path.join(BENCH, rel)
        kiln, v8, kiln_best, v8_best = [], [], [], []
        kiln_cmd, v8_cmd = kiln_cmd_of(path), v8_cmd_of(path)
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
    print('(%s; %d runs x %d rounds each)' % (what, a.runs, a.rounds))

if __name__ == '__main__':
    sys.exit(main())
