#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Two builds of bench_validate on one module, alternated (ABBA order) so that a shared machine's
# load falls on both alike: ROUNDS rounds, each running both as `bench_validate RUNS FILE` and
# taking the median MB/s each prints. Reports both medians over the rounds, the median of the
# per-round ratios B/A and in how many rounds B was faster. With --threads N both run as
# `bench_validate --threads N RUNS FILE` (wall-clock time, bodies on N threads).
# Usage: bench/validate/ab.py [--threads N] ROUNDS RUNS FILE OLD_BENCH_VALIDATE NEW_BENCH_VALIDATE
import statistics, subprocess, sys

THREADS = []

def run(exe, runs, path):
    out = subprocess.run([exe] + THREADS + [str(runs), path], capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[4])

def main():
    args = sys.argv[1:]
    if len(args) == 7 and args[0] == '--threads':
        THREADS.extend(args[:2])
        args = args[2:]
    if len(args) != 5:
        print('usage: ab.py [--threads N] ROUNDS RUNS FILE OLD_BENCH_VALIDATE NEW_BENCH_VALIDATE',
              file=sys.stderr)
        return 2
    rounds, runs, path, a, b = int(args[0]), int(args[1]), *args[2:]
    ra, rb = [], []
    for r in range(rounds):
        if r % 2 == 0:
            ra.append(run(a, runs, path))
            rb.append(run(b, runs, path))
        else:
            rb.append(run(b, runs, path))
            ra.append(run(a, runs, path))
    ratios = [y / x for x, y in zip(ra, rb)]
    print('A median %.1f MB/s, B median %.1f MB/s' % (statistics.median(ra), statistics.median(rb)))
    print('per-round B/A: median %.3f, B faster in %d of %d rounds' % (
        statistics.median(ratios), sum(x > 1 for x in ratios), rounds))
    return 0

if __name__ == '__main__':
    sys.exit(main())
