#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs every kiln benchmark in one go and keeps the output: emit speed (bench_asm, wall clock
# and callgrind), run time (bench/run), compile speed and code size (bench/compile).
#   bench/run_all.sh [BUILD_DIR]        (default: build-bench next to this folder's parent)
# Environment: RUNS (repetitions, default 5), SKIP (space-separated: asm callgrind run compile),
# SNAPSHOT=1 builds kiln and bench_asm from `git archive HEAD` (in BUILD_DIR-src) instead of
# the working tree, so the figures belong to one exact commit even in a shared checkout (give
# it a build dir of its own: CMake refuses to switch a build dir to another source tree).
# Results go to stdout and bench/.work/results/<UTC time>.txt (+ .json per part).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-bench}
runs=${RUNS:-5}
skip=" ${SKIP:-} "
out="$root/bench/.work/results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
log="$out/$stamp.txt"

section() { printf '\n=== %s ===\n' "$*"; }

{
    section "machine"
    date -u
    uname -srm
    lscpu | sed -n 's/^Model name: *//p; s/^CPU(s): */CPUs: /p'
    uptime
    gcc --version | head -n1
    clang-14 --version | head -n1
    echo "node $(node --version)"
    git -C "$root" log -1 --format='kiln commit %h %s'

    src="$root"
    if [ "${SNAPSHOT:-0}" = 1 ]; then
        src="$build-src"
        rm -rf "$src" && mkdir -p "$src" && git -C "$root" archive HEAD | tar -x -C "$src"
        echo "sources: git archive HEAD ($(git -C "$root" rev-parse --short HEAD)) in $src"
    else
        echo "sources: working tree $root (may hold uncommitted work)"
    fi
    section "build ($build, Release)"
    cmake -S "$src" -B "$build" -DKILN_BENCH=ON -DKILN_BUILD_TESTS=OFF -DKILN_SPEC_TESTS=OFF \
        -DCMAKE_BUILD_TYPE=Release >/dev/null || echo "configure FAILED"
    cmake --build "$build" --target bench_asm -j2 >/dev/null 2>&1 ||
        echo "bench_asm: build FAILED"
    if cmake --build "$build" --target kiln -j2 >/dev/null 2>&1; then
        echo "kiln: built"
    else
        echo "kiln: build FAILED; kiln runs below will fail"
    fi

    section "npm modules (bench/node_modules)"
    (cd "$root/bench" && npm ci --no-audit --no-fund 2>&1 | grep -v 'npm warn') ||
        echo "npm ci FAILED"

    case "$skip" in *" asm "*) ;; *)
        section "emit speed: $build/bench_asm --runs 11"
        "$build/bench_asm" --runs 11 ;;
    esac
    case "$skip" in *" callgrind "*) ;; *)
        section "emit cost: bench/asm/callgrind.sh $build"
        "$root/bench/asm/callgrind.sh" "$build" ;;
    esac
    case "$skip" in *" run "*) ;; *)
        section "run time: bench/run/run.py --kiln $build/kiln --runs $runs"
        python3 "$root/bench/run/run.py" --kiln "$build/kiln" --runs "$runs" \
            --json "$out/$stamp.run.json" ;;
    esac
    case "$skip" in *" compile "*) ;; *)
        section "compile speed and code size: bench/compile/compile.py --kiln $build/kiln --runs $runs --code-size"
        python3 "$root/bench/compile/compile.py" --kiln "$build/kiln" --runs "$runs" \
            --code-size --extra "$root"/bench/.work/run/*.wasm --json "$out/$stamp.compile.json" ;;
    esac
    section "done"
    uptime
} 2>&1 | tee "$log"
echo "(saved in $log)"
