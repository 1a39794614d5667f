#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Callgrind variant of bench_asm: machine instructions executed per emitted instruction, counted
# only inside each backend's mix_emit_<backend>() (buffer setup, labels, finish included). Stable
# on a busy machine, unlike wall-clock time. Each process emits the mix 10 and then 20 times;
# the difference / (10 x instructions) is the steady cost, free of one-time warm-up.
#   bench/asm/callgrind.sh BUILD_DIR [BLOCKS]
set -eu
build=${1:?usage: callgrind.sh BUILD_DIR [BLOCKS]}
blocks=${2:-50}
bin="$build/bench_asm"
command -v valgrind >/dev/null || { echo "callgrind: valgrind not installed"; exit 1; }
[ -x "$bin" ] || { echo "callgrind: $bin not built (cmake --build $build --target bench_asm)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
backends=$("$bin" --help 2>&1 | sed -n 's/^backends://p')
insns=$("$bin" --only "$(echo $backends | cut -d' ' -f1)" --blocks "$blocks" --runs 1 |
    sed -n 's/.* blocks, \([0-9]*\) instructions.*/\1/p')
echo "callgrind: $blocks blocks = $insns emitted instructions per backend"
for b in $backends; do
    for runs in 10 20; do
        valgrind --tool=callgrind --callgrind-out-file="$tmp/$b.$runs" \
            --toggle-collect="mix_emit_$b" "$bin" --only "$b" --blocks "$blocks" --runs "$runs" \
            >/dev/null 2>"$tmp/$b.$runs.log"
    done
    ir1=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p;s/^summary: *\([0-9]*\).*/\1/p' "$tmp/$b.10" | head -n1)
    ir2=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p;s/^summary: *\([0-9]*\).*/\1/p' "$tmp/$b.20" | head -n1)
    awk -v b="$b" -v a="$ir1" -v c="$ir2" -v n="$insns" 'BEGIN {
        printf "%-13s %7.1f Ir per emitted instruction (10 emits: %.1f)\n", b, (c - a) / (10 * n), a / (10 * n) }'
done
