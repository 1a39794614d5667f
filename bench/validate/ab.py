#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Two builds of bench_validate on one module, alternated (ABBA order) so that a shared machine's
# load falls on both alike: ROUNDS rounds, each running both as `bench_validate RUNS FILE` and
# taking the median MB/s each prints. Reports both medians over the rounds, the median of the
# per-round ratios B/A and in how many rounds B was faster.
# Usage: bench/validate/ab.py ROUNDS RUNS FILE OLD_BENCH_VALIDATE NEW_BENCH_VALIDATE
import statistics, subprocess, sys

def run(exe, runs, path):
    out = subprocess.run([exe, str(runs), path], capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[4])

def main():
    if len(sys.argv) != 6:
        print('usage: ab.py ROUNDS RUNS FILE OLD_BENCH_VALIDATE NEW_BENCH_VALIDATE',
              file=sys.stderr)
        return 2
    rounds, runs, path, a, b = int(sys.argv[1]), int(sys.argv[2]), *sys.argv[3:]
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
