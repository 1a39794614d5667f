#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Builds of bench_validate on one module, alternated so that a shared machine's load falls on all
# alike: ROUNDS rounds, each running every build as `bench_validate RUNS FILE` and taking the
# median MB/s each prints. Two builds run A B in even rounds and B A in odd ones; more builds run
# in an order rotated every two rounds and reversed in odd ones. Reports each build's median over
# the rounds and, for each build after the first, the median of its per-round ratios to the first
# and in how many rounds it was faster. With --threads N all run as
# `bench_validate --threads N RUNS FILE` (wall-clock time, bodies on N threads); with --cpu N all
# run on CPU N only (taskset -c N: the machine's CPUs may differ in speed from moment to moment).
# Usage: bench/validate/ab.py [--threads N] [--cpu N] ROUNDS RUNS FILE BENCH_VALIDATE_A BENCH_VALIDATE_B...
import argparse, statistics, subprocess, sys

def main():
    ap = argparse.ArgumentParser(usage='ab.py [--threads N] [--cpu N] ROUNDS RUNS FILE '
                                       'BENCH_VALIDATE_A BENCH_VALIDATE_B...')
    ap.add_argument('--threads', type=int)
    ap.add_argument('--cpu', type=int)
    ap.add_argument('rounds', type=int)
    ap.add_argument('runs', type=int)
    ap.add_argument('file')
    ap.add_argument('builds', nargs='+')
    a = ap.parse_args()
    if len(a.builds) < 2:
        ap.error('at least two builds')
    pin = ['taskset', '-c', str(a.cpu)] if a.cpu is not None else []
    threads = ['--threads', str(a.threads)] if a.threads is not None else []

    def run(exe):
        out = subprocess.run(pin + [exe] + threads + [str(a.runs), a.file], capture_output=True,
                             text=True, check=True).stdout.split()
        return float(out[4])

    n = len(a.builds)
    res = {k: [] for k in range(n)}
    for r in range(a.rounds):
        rot = (r // 2) % n if n > 2 else 0
        order = list(range(rot, n)) + list(range(rot))
        if r % 2:
            order.reverse()
        for k in order:
            res[k].append(run(a.builds[k]))
    names = [chr(ord('A') + k) if k < 26 else str(k) for k in range(n)]
    print(', '.join('%s median %.1f MB/s' % (names[k], statistics.median(res[k]))
                    for k in range(n)))
    for k in range(1, n):
        ratios = [y / x for x, y in zip(res[0], res[k])]
        print('per-round %s/A: median %.3f, %s faster in %d of %d rounds' % (
            names[k], statistics.median(ratios), names[k], sum(x > 1 for x in ratios), a.rounds))
    return 0

if __name__ == '__main__':
    sys.exit(main())
